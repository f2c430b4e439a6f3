Console.Error.WriteLine("wan: the generate command is not implemented yet");
return 2;
