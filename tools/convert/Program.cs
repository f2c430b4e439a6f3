Console.Error.WriteLine("wan-convert: no command is implemented yet");
return 2;
