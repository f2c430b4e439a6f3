using System.CommandLine;
using Wan.Convert.Cli;
using Wan.Shared;

// Redirected output is read by programs and saved to files: lines are not wrapped at the default 80 columns.
if (Console.IsOutputRedirected)
{
    Spectre.Console.AnsiConsole.Profile.Width = short.MaxValue;
}
var root = new RootCommand("wan-convert: Wan checkpoints between the original and the diffusers layout, synthetic models, inspection")
{
    ToDiffusersCommand.Create(),
    SynthCommand.Create(),
    InspectCommand.Create(),
    VerifyCommand.Create(),
    DiffCommand.Create(),
    SelfForcingCommand.Create(),
};
// Values are taken literally: no '@file' response-file expansion of paths or options.
var parse = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
if (parse.Errors.Count > 0)
{
    // One line and exit code 2 for every bad argument, as for the errors the commands find.
    var messages = parse.Errors.Select(ParseErrorText.OneLine);
    Console.Error.WriteLine($"wan-convert: {string.Join("; ", messages)} (see 'wan-convert --help')");
    return 2;
}
return parse.Invoke();
