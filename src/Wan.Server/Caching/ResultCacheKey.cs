using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Wan.Server.Jobs;

namespace Wan.Server.Caching;

/// <summary>
/// The result cache's key: SHA-256 of a canonical JSON document of everything that decides the video —
/// the model's identity (<see cref="ModelIdentity"/>), the normalised request (<see cref="VideoSpec"/>:
/// defaults filled, empty negative prompt replaced, numbers in round-trip form, fixed field order),
/// the creative fingerprint (post-processing and label object, its files' digests: <see cref="Creative.CreativeSpec.Fingerprint"/>),
/// the hashes of the LoRA files applied, and the seed. Two requests with the same key produce the same
/// bytes, so the second is served from the first's file without running the engine.
/// </summary>
public static class ResultCacheKey
{
    /// <summary>Bumped when the runtime's numerics change what a given request produces.</summary>
    public const int Version = 2;

    /// <summary>The key (64 hex digits) of <paramref name="spec"/> with its own LoRAs (<see cref="VideoSpec.Loras"/>: file hash, strength, expert).</summary>
    /// <param name="modelIdentity">the model folder's <see cref="ModelIdentity.Compute"/>.</param>
    /// <param name="spec">the normalised request.</param>
    public static string Compute(string modelIdentity, VideoSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return Compute(modelIdentity, spec, [.. spec.Loras.Select(l => $"{l.Sha256}:{l.Strength.ToString("R", CultureInfo.InvariantCulture)}:{l.Expert}")]);
    }

    /// <summary>The key (64 hex digits).</summary>
    /// <param name="modelIdentity">the model folder's <see cref="ModelIdentity.Compute"/>.</param>
    /// <param name="spec">the normalised request.</param>
    /// <param name="loraHashes">SHA-256 of each LoRA file with its strength, in application order (empty without LoRA).</param>
    public static string Compute(string modelIdentity, VideoSpec spec, IReadOnlyList<string> loraHashes)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(loraHashes);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("version", Version);
            json.WriteString("model", modelIdentity);
            json.WriteString("prompt", spec.Prompt);
            json.WriteString("negative_prompt", spec.NegativePrompt);
            json.WriteNumber("frames", spec.Frames);
            json.WriteNumber("height", spec.Height);
            json.WriteNumber("width", spec.Width);
            json.WriteNumber("steps", spec.Steps);
            json.WriteNumber("seed", spec.Seed);
            json.WriteString("guidance_low", Exact(spec.GuidanceLow));
            json.WriteString("guidance_high", Exact(spec.GuidanceHigh));
            json.WriteString("shift", Exact(spec.Shift));
            json.WriteString("solver", spec.Solver);
            json.WriteNumber("fps", spec.Fps);
            json.WriteString("format", spec.Format);
            json.WriteString("creative", spec.Creative?.Fingerprint() ?? "");
            if (spec.Style is not null)
            {
                // Only styled requests carry these, so the keys of unstyled requests stay as they were.
                json.WriteString("style", spec.Style);
                json.WriteString("style_version", spec.StyleVersion);
            }
            json.WriteStartArray("loras");
            foreach (var lora in loraHashes)
            {
                json.WriteStringValue(lora);
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Convert.ToHexStringLower(SHA256.HashData(buffer.ToArray()));
    }

    // "R" round-trips every double, and 3 and 3.0 (the same double) give the same text.
    private static string Exact(double value) => value.ToString("R", CultureInfo.InvariantCulture);

}
