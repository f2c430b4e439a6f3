using System.Globalization;

namespace Wan.Runtime.Lora;

/// <summary>
/// One LoRA application: a file, its strength (any finite real; 0 reproduces the base model, negative
/// values subtract the style) and the expert it targets. The effective scale of each adapted linear is
/// <c>Strength · alpha / rank</c> (alpha/rank = 1 when the file has no alpha), as diffusers + PEFT compute it.
/// </summary>
/// <param name="Path">The LoRA .safetensors file.</param>
/// <param name="Strength">Multiplier of the file's deltas (diffusers <c>adapter_weights</c>).</param>
/// <param name="Target">Expert(s) the file is applied to.</param>
public sealed record LoraSpec(string Path, float Strength = 1f, LoraExpert Target = LoraExpert.Both)
{
    /// <summary>
    /// Parses the CLI form <c>FILE[:STRENGTH[:high|low|both]]</c> (strength default 1, target default both).
    /// The path ends at its last <c>.safetensors</c>; a path without that extension ends before a trailing
    /// number (and target).
    /// </summary>
    /// <exception cref="LoraFormatException">Empty file name, a strength that is not a finite number, an unknown target or extra fields.</exception>
    public static LoraSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int extension = text.LastIndexOf(".safetensors", StringComparison.OrdinalIgnoreCase);
        string path;
        string[] fields;
        if (extension >= 0 && (extension + ".safetensors".Length == text.Length || text[extension + ".safetensors".Length] == ':'))
        {
            int end = extension + ".safetensors".Length;
            path = text[..end];
            fields = end == text.Length ? [] : text[(end + 1)..].Split(':');
        }
        else
        {
            var parts = text.Split(':');
            int pathParts = parts.Length;
            if (pathParts >= 3 && TryTarget(parts[^1], out _))
            {
                pathParts -= 2;
            }
            else if (pathParts >= 2 && LooksNumeric(parts[^1]))
            {
                pathParts -= 1;
            }
            path = string.Join(':', parts, 0, pathParts);
            fields = parts[pathParts..];
        }
        if (path.Length == 0)
        {
            throw new LoraFormatException($"--lora '{text}': no file name (expected FILE[:STRENGTH[:high|low|both]])");
        }
        if (fields.Length > 2)
        {
            throw new LoraFormatException($"--lora '{text}': too many fields (expected FILE[:STRENGTH[:high|low|both]])");
        }
        float strength = fields.Length >= 1 ? StrengthOf(fields[0], text) : 1f;
        var target = LoraExpert.Both;
        if (fields.Length == 2 && !TryTarget(fields[1], out target))
        {
            throw new LoraFormatException($"--lora '{text}': target '{fields[1]}' is not high, low or both");
        }
        return new LoraSpec(path, strength, target);
    }

    /// <summary>The CLI form of this spec (round-trips through <see cref="Parse"/>).</summary>
    public override string ToString() =>
        $"{Path}:{Strength.ToString("R", CultureInfo.InvariantCulture)}:{Target.ToString().ToLowerInvariant()}";

    /// <summary>Whether this spec applies to the given expert (<see cref="LoraExpert.High"/> or <see cref="LoraExpert.Low"/>).</summary>
    public bool Targets(LoraExpert expert) => Target == LoraExpert.Both || Target == expert;

    private static bool TryTarget(string s, out LoraExpert target)
    {
        switch (s.ToLowerInvariant())
        {
            case "high": target = LoraExpert.High; return true;
            case "low": target = LoraExpert.Low; return true;
            case "both": target = LoraExpert.Both; return true;
            default: target = LoraExpert.Both; return false;
        }
    }

    private static bool LooksNumeric(string s) =>
        s.Length > 0 && (char.IsAsciiDigit(s[0]) || s[0] is '-' or '+' or '.');

    private static float StrengthOf(string s, string text)
    {
        if (!float.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !float.IsFinite(v))
        {
            throw new LoraFormatException($"--lora '{text}': strength '{s}' is not a finite number (expected FILE[:STRENGTH[:high|low|both]])");
        }
        return v;
    }
}
