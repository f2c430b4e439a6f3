using System.Reflection;
using System.Text.RegularExpressions;
using Wan.Errors;
using Wan.Server;

namespace Wan.Cli;

/// <summary>
/// The tokens <c>wan serve</c> passes through to ASP.NET configuration (<c>--Wan:QueueCapacity=8</c>, <c>--Kestrel:...</c>): the
/// configuration binder ignores a key it does not know, so <c>wan serve --experts-resident streamed</c> or <c>--Wan:VaeMemory=2</c> would
/// start a server that silently does something else. A <c>wan generate</c> option and a <c>Wan:</c> key that is no
/// <see cref="ServerOptions"/> setting are refused before the model loads.
/// </summary>
internal static partial class ServeArguments
{
    /// <summary>The <see cref="ServerOptions"/> settings that <c>wan serve</c>'s own options always set, default or not.</summary>
    private static readonly Dictionary<string, string> OwnOptions = new(StringComparer.OrdinalIgnoreCase)
    {
        [nameof(ServerOptions.ModelDirectory)] = "--model",
        [nameof(ServerOptions.DataDirectory)] = "--data",
        [nameof(ServerOptions.Device)] = "--device",
        [nameof(ServerOptions.Precision)] = "--precision",
    };

    /// <summary>Checks the pass-through <paramref name="tokens"/> against <paramref name="generateOptions"/> (names with dashes) and <see cref="ServerOptions"/>.</summary>
    /// <exception cref="RequestException">a token names an option of <c>wan generate</c>, a <c>Wan:</c> key that <see cref="ServerOptions"/> does not have, or one that a <c>wan serve</c> option always overrides.</exception>
    public static void Check(IEnumerable<string> tokens, IEnumerable<string> generateOptions)
    {
        var generate = generateOptions.ToHashSet(StringComparer.Ordinal);
        var settings = typeof(ServerOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var token in tokens)
        {
            if (!token.StartsWith("--", StringComparison.Ordinal))
            {
                continue;
            }
            var name = token.Split('=', 2)[0];
            if (generate.Contains(name))
            {
                throw new RequestException(name[2..], "",
                    "an option of wan generate, not of wan serve (the server's engine takes --device, --precision and Wan: settings; see 'wan serve --help')");
            }
            var key = name[2..].Split(':');
            if (key.Length >= 2 && key[0].Equals("Wan", StringComparison.OrdinalIgnoreCase) && !settings.Contains(key[1]))
            {
                throw new RequestException(name[2..], "",
                    $"no such server setting (the Wan: settings are {string.Join(", ", settings.Order(StringComparer.Ordinal))})");
            }
            if (key.Length >= 2 && key[0].Equals("Wan", StringComparison.OrdinalIgnoreCase) && OwnOptions.TryGetValue(key[1], out var own))
            {
                throw new RequestException(name[2..], "", $"wan serve sets it from {own} (its default when not given), which would override this silently: use {own}");
            }
        }
    }

    /// <summary>
    /// The configuration binder's "Failed to convert configuration value 'abc' at 'Wan:QueueCapacity' to type 'System.Int32'" (an
    /// <see cref="InvalidOperationException"/> with a stack of inner exceptions) as one line naming the setting, or null for any other exception.
    /// </summary>
    public static string? BadValue(Exception e) =>
        e is InvalidOperationException && NotConverted().Match(e.Message) is { Success: true } m
            ? $"--{m.Groups["key"].Value} '{m.Groups["value"].Value}': not a valid {m.Groups["type"].Value.Split('.', '+')[^1]} value"
            : null;

    [GeneratedRegex(@"^Failed to convert configuration value '(?<value>.*)' at '(?<key>[^']+)' to type '(?<type>[^']+)'")]
    private static partial Regex NotConverted();
}
