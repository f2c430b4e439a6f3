namespace Wan.Errors;

/// <summary>
/// A generation request or command-line argument that cannot run: out of range, inconsistent with
/// the model's geometry, too large, or an output location that cannot be written. It names the
/// settings at fault in command-line spelling without dashes (<c>frames</c>, <c>negative-prompt</c>)
/// with their values. Message: <c>frames 8: must be 4k+1 ...</c>; <see cref="Format"/> gives the
/// CLI's <c>--frames 8: ...</c>.
/// </summary>
public sealed class RequestException : WanException
{
    /// <summary>Creates the error for one setting.</summary>
    /// <param name="setting">the setting at fault, lower-case with dashes between words (<c>frames</c>, <c>negative-prompt</c>).</param>
    /// <param name="value">its value as given.</param>
    /// <param name="problem">what is wrong with it, one line.</param>
    public RequestException(string setting, object? value, string problem)
        : this([new KeyValuePair<string, string>(setting, Text(value))], problem)
    {
    }

    /// <summary>Creates the error for settings that are only wrong together (e.g. frames × height × width).</summary>
    /// <param name="settings">each setting's name and value as given.</param>
    /// <param name="problem">what is wrong with them, one line.</param>
    public RequestException(IReadOnlyList<KeyValuePair<string, string>> settings, string problem)
        : base(Join(settings, "", problem))
    {
        Settings = settings;
        Problem = problem;
    }

    /// <summary>The settings at fault with their values, e.g. (<c>height</c>, <c>65536</c>).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Settings { get; }

    /// <summary>What is wrong, without the settings.</summary>
    public string Problem { get; }

    /// <summary>The message with each setting's name behind <paramref name="prefix"/>, e.g. "--" for a CLI.</summary>
    /// <param name="prefix">what goes before each setting's name.</param>
    public string Format(string prefix) => Join(Settings, prefix, Problem);

    private static string Join(IReadOnlyList<KeyValuePair<string, string>> settings, string prefix, string problem) =>
        $"{string.Join(" ", settings.Select(s => s.Value.Length == 0 ? prefix + s.Key : $"{prefix}{s.Key} {s.Value}"))}: {problem}";

    private static string Text(object? value) =>
        value switch
        {
            null => "",
            IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };
}
