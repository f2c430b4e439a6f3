using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Wan.Shared;

/// <summary>
/// A command-line parse error as one line that names its option: System.CommandLine says only
/// "Argument 'foo' not recognized" for a value outside an option's allowed list, and names .NET types
/// ("as expected type 'System.Nullable`1[System.Double]'") for a value that is not a number. Compiled into both
/// executables, <c>wan</c> and <c>wan-convert</c> (linked source: neither library depends on System.CommandLine).
/// </summary>
internal static partial class ParseErrorText
{
    public static string OneLine(ParseError error)
    {
        var text = string.Join(" ", error.Message.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        if (NotParsed().Match(text) is { Success: true } typed)
        {
            return $"{typed.Groups["option"].Value} {typed.Groups["value"].Value}: {Expected(typed.Groups["type"].Value)}";
        }
        for (var result = error.SymbolResult; result is not null; result = result.Parent)
        {
            if (result is OptionResult option)
            {
                return text.Contains(option.Option.Name, StringComparison.Ordinal) ? text : $"{option.Option.Name}: {text}";
            }
        }
        return text;
    }

    /// <summary>The help hint of the command the user ran (<c>(see 'wan plan --help')</c>), or the program's for an error before any command.</summary>
    public static string HelpHint(ParseResult parse, string program)
    {
        var path = new List<string>();
        for (SymbolResult? result = parse.CommandResult; result is CommandResult command && command.Parent is not null; result = command.Parent)
        {
            path.Insert(0, command.Command.Name);
        }
        return $"(see '{string.Join(" ", [program, .. path])} --help')";
    }

    /// <summary>What a value of the option's .NET type is, in words (the type name itself means nothing to a user).</summary>
    private static string Expected(string type) => type.Replace("System.Nullable`1[", "", StringComparison.Ordinal).TrimEnd(']') switch
    {
        "System.Double" or "System.Single" or "System.Decimal" => "not a number (write e.g. 0.5 or 1e-3, with a dot)",
        "System.Int32" => $"not a whole number from {int.MinValue.ToString("N0", CultureInfo.InvariantCulture)} to {int.MaxValue.ToString("N0", CultureInfo.InvariantCulture)}",
        "System.Int64" => "not a whole number (64-bit)",
        "System.Boolean" => "not true or false",
        var other => $"cannot be read as {other}",
    };

    [GeneratedRegex(@"^Cannot parse argument '(?<value>.*)' for option '(?<option>[^']+)' as expected type '(?<type>[^']+)'\.?$")]
    private static partial Regex NotParsed();
}
