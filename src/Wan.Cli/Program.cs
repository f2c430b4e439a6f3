using System.CommandLine;
using Wan.Cli;
using Wan.Shared;

// Redirected output is read by programs and saved to files: lines are not wrapped at the default 80 columns.
if (Console.IsOutputRedirected)
{
    Spectre.Console.AnsiConsole.Profile.Width = short.MaxValue;
}
var root = new RootCommand("wan: text-to-video with Wan2.2 (diffusers layout), on the CPU reference backend or CUDA");
root.Add(GenerateCommand.Create());
root.Add(StylesCommand.Create());
root.Add(ServeCommand.Create());
root.Add(PlanCommand.Create());
// Values are taken literally: no '@file' response-file expansion, so a prompt may begin with '@'.
var parse = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
if (parse.Errors.Count > 0)
{
    // One line and exit code 2 for every bad argument, as for the errors the command itself finds.
    var messages = parse.Errors.Select(ParseErrorText.OneLine);
    Console.Error.WriteLine($"wan: {string.Join("; ", messages)} {ParseErrorText.HelpHint(parse, "wan")}");
    return 2;
}
return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(30) });
