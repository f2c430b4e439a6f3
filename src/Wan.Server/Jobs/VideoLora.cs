using Wan.Runtime.Lora;

namespace Wan.Server.Jobs;

/// <summary>One LoRA of a <see cref="VideoSpec"/>: the file, its content hash (part of the result-cache key), strength and target.</summary>
/// <param name="Name">The file name (in the server's LoRA folder, or of a style's LoRA).</param>
/// <param name="Path">The file's absolute path on the server (and its workers).</param>
/// <param name="Sha256">SHA-256 of the file's bytes when the request was accepted (64 hex digits).</param>
/// <param name="Strength">Multiplier of the file's deltas.</param>
/// <param name="Expert">"high", "low" or "both".</param>
public sealed record VideoLora(string Name, string Path, string Sha256, float Strength, string Expert)
{
    /// <summary>The engine's form of this LoRA.</summary>
    /// <exception cref="ArgumentException"><see cref="Expert"/> is not high, low or both.</exception>
    public LoraSpec ToSpec() => new(Path, Strength, Enum.Parse<LoraExpert>(Expert, ignoreCase: true));
}
