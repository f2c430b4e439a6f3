using System.Globalization;
using System.Text.RegularExpressions;

namespace Wan.Runtime.Lora;

/// <summary>
/// A folder of LoRA files that remote callers may name (a <c>wan serve</c> request's <c>loras</c>): a name is a plain
/// file name in this folder, never a path, so a request cannot reach any other file of the server. The strength
/// and target rules are those of the CLI's <c>--lora FILE[:S[:high|low|both]]</c> (<see cref="LoraSpec.Parse"/>).
/// </summary>
public sealed partial class LoraFolder
{
    private const string Extension = ".safetensors";

    /// <summary>Opens the folder.</summary>
    /// <param name="directory">The LoRA folder.</param>
    /// <exception cref="DirectoryNotFoundException">It does not exist.</exception>
    public LoraFolder(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        Directory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        if (!System.IO.Directory.Exists(Directory))
        {
            throw new DirectoryNotFoundException($"{Directory}: LoRA folder not found");
        }
    }

    /// <summary>The folder (absolute).</summary>
    public string Directory { get; }

    // A file name: starts with a letter or digit, no separator, no "..", so it cannot leave the folder.
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex NamePattern();

    /// <summary>
    /// The LoRA <paramref name="name"/> (a file name in the folder, <c>.safetensors</c> optional) at
    /// <paramref name="strength"/> for <paramref name="target"/>.
    /// </summary>
    /// <param name="name">File name, e.g. <c>ink_high</c> or <c>ink_high.safetensors</c>.</param>
    /// <param name="strength">Multiplier of the file's deltas, finite, |strength| ≤ <see cref="LoraSpec.MaxStrength"/>.</param>
    /// <param name="target">"high", "low" or "both" (case-insensitive).</param>
    /// <exception cref="LoraFormatException">A name that is a path or leaves the folder, a missing file, a bad strength or target (the message names the LoRA, never the server's path).</exception>
    public LoraSpec Resolve(string name, float strength, string target)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(target);
        if (!NamePattern().IsMatch(name) || name.Contains("..", StringComparison.Ordinal))
        {
            throw new LoraFormatException($"lora '{name}': must be a file name of the server's LoRA folder (letters, digits, '_', '.', '-'; no path)");
        }
        var file = name.EndsWith(Extension, StringComparison.OrdinalIgnoreCase) ? name : name + Extension;
        var path = Path.GetFullPath(Path.Combine(Directory, file));
        if (!string.Equals(Path.GetDirectoryName(path), Directory, StringComparison.Ordinal))
        {
            throw new LoraFormatException($"lora '{name}': must be a file name of the server's LoRA folder (no path)");
        }
        if (!File.Exists(path))
        {
            throw new LoraFormatException($"lora '{name}': no such LoRA in the server's LoRA folder");
        }
        if (!float.IsFinite(strength) || Math.Abs(strength) > LoraSpec.MaxStrength)
        {
            throw new LoraFormatException($"lora '{name}': strength {strength.ToString("R", CultureInfo.InvariantCulture)} is not a finite number in [-{LoraSpec.MaxStrength}, {LoraSpec.MaxStrength}] (1 applies the LoRA as trained)");
        }
        return target.ToLowerInvariant() switch
        {
            "high" => new LoraSpec(path, strength, LoraExpert.High),
            "low" => new LoraSpec(path, strength, LoraExpert.Low),
            "both" => new LoraSpec(path, strength, LoraExpert.Both),
            _ => throw new LoraFormatException($"lora '{name}': expert '{target}' is not high, low or both"),
        };
    }
}
