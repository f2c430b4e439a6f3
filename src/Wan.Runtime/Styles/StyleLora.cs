using System.Globalization;

namespace Wan.Runtime.Styles;

/// <summary>One LoRA of a style: the file (absolute path), its strength and the expert it applies to.</summary>
/// <param name="Path">Absolute path of the .safetensors file (manifest paths are relative to the styles folder).</param>
/// <param name="Strength">Multiplier of the file's deltas, finite, in [-<see cref="StyleManifest.MaxStrength"/>, <see cref="StyleManifest.MaxStrength"/>].</param>
/// <param name="Expert">"high", "low" or "both".</param>
/// <param name="Format">The format the validator recognised (e.g. "kohya/musubi").</param>
public sealed record StyleLora(string Path, float Strength, string Expert, string Format)
{
    /// <summary>The <c>--lora FILE:STRENGTH:EXPERT</c> form of this LoRA.</summary>
    public string ToCliForm() => $"{Path}:{Strength.ToString("R", CultureInfo.InvariantCulture)}:{Expert}";
}
