using System.CommandLine.Parsing;

namespace Wan.Shared;

/// <summary>
/// A command-line parse error as one line that names its option: System.CommandLine says only
/// "Argument 'foo' not recognized" for a value outside an option's allowed list. Compiled into both
/// executables, <c>wan</c> and <c>wan-convert</c> (linked source: neither library depends on System.CommandLine).
/// </summary>
internal static class ParseErrorText
{
    public static string OneLine(ParseError error)
    {
        var text = string.Join(" ", error.Message.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        for (var result = error.SymbolResult; result is not null; result = result.Parent)
        {
            if (result is OptionResult option)
            {
                return text.Contains(option.Option.Name, StringComparison.Ordinal) ? text : $"{option.Option.Name}: {text}";
            }
        }
        return text;
    }
}
