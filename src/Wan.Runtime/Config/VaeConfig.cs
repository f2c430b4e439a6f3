using System.Text.Json;

namespace Wan.Runtime.Config;

/// <summary>
/// Hyper-parameters of the Wan2.1 causal 3D VAE, read from a diffusers <c>vae/config.json</c>
/// (AutoencoderKLWan). Channel widths follow from <see cref="BaseDim"/> and <see cref="DimMult"/>;
/// the latent scaling constants are <see cref="LatentsMean"/> and <see cref="LatentsStd"/>.
/// </summary>
public sealed record VaeConfig(
    int BaseDim,
    int ZDim,
    IReadOnlyList<int> DimMult,
    int NumResBlocks,
    IReadOnlyList<bool> TemporalDownsample,
    IReadOnlyList<float> LatentsMean,
    IReadOnlyList<float> LatentsStd,
    int InChannels,
    int OutChannels)
{
    /// <summary>Video pixels per latent pixel along H and W (8 for Wan2.1).</summary>
    public int SpatialScale => 1 << (DimMult.Count - 1);

    /// <summary>Video frames per latent frame after the first (4 for Wan2.1).</summary>
    public int TemporalScale => 1 << TemporalDownsample.Count(d => d);

    public static VaeConfig Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: VAE config not found", path);
        }
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses config JSON; <paramref name="source"/> names it in error messages.</summary>
    public static VaeConfig Parse(string json, string source)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: VAE config is not valid JSON ({e.Message})");
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"{source}: VAE config must be a JSON object");
            }
            var reader = new ConfigReader(root, source);
            var className = reader.OptionalString("_class_name");
            if (className is not null && className != "AutoencoderKLWan")
            {
                throw new InvalidDataException($"{source}: _class_name is '{className}', expected 'AutoencoderKLWan'");
            }
            reader.RejectUnless("is_residual", v => v.ValueKind is JsonValueKind.False or JsonValueKind.Null, "the Wan2.2 residual VAE is not supported (is_residual must be false)");
            reader.RejectUnless("patch_size", v => v.ValueKind == JsonValueKind.Null, "patchified VAEs are not supported (patch_size must be null)");
            reader.RejectUnless("attn_scales", v => v.ValueKind == JsonValueKind.Array && v.GetArrayLength() == 0, "attention inside the up/down stages is not supported (attn_scales must be [])");

            int baseDim = reader.PositiveInt("base_dim");
            reader.RejectUnless("decoder_base_dim", v => v.ValueKind == JsonValueKind.Null || v.TryGetInt32(out var d) && d == baseDim, "a decoder_base_dim other than base_dim is not supported");
            int zDim = reader.PositiveInt("z_dim");
            var dimMult = reader.IntArray("dim_mult");
            if (dimMult.Length < 2 || dimMult.Any(m => m <= 0))
            {
                throw new InvalidDataException($"{source}: dim_mult must hold at least 2 positive multipliers, got [{string.Join(", ", dimMult)}]");
            }
            int numResBlocks = reader.PositiveInt("num_res_blocks");
            var temporal = reader.BoolArray("temperal_downsample");
            if (temporal.Length != dimMult.Length - 1)
            {
                throw new InvalidDataException($"{source}: temperal_downsample has {temporal.Length} entries, expected {dimMult.Length - 1} (one per downsampling stage)");
            }
            var mean = reader.FloatArray("latents_mean");
            var std = reader.FloatArray("latents_std");
            if (mean.Length != zDim || std.Length != zDim)
            {
                throw new InvalidDataException($"{source}: latents_mean ({mean.Length}) and latents_std ({std.Length}) must hold z_dim = {zDim} values");
            }
            if (std.Any(s => !(s > 0) || !float.IsFinite(s)) || mean.Any(m => !float.IsFinite(m)))
            {
                throw new InvalidDataException($"{source}: latents_std must be positive and latents_mean finite");
            }
            int inChannels = reader.OptionalPositiveInt("in_channels") ?? 3;
            int outChannels = reader.OptionalPositiveInt("out_channels") ?? 3;
            return new VaeConfig(baseDim, zDim, dimMult, numResBlocks, temporal, mean, std, inChannels, outChannels);
        }
    }

    /// <summary>Typed access to the keys of one config object, with errors naming the file and key.</summary>
    private sealed class ConfigReader(JsonElement root, string source)
    {
        private JsonElement Required(string key) =>
            root.TryGetProperty(key, out var v) ? v : throw new InvalidDataException($"{source}: missing key '{key}'");

        public string? OptionalString(string key) =>
            root.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

        public void RejectUnless(string key, Func<JsonElement, bool> accepted, string problem)
        {
            if (root.TryGetProperty(key, out var v) && !accepted(v))
            {
                throw new InvalidDataException($"{source}: {key} = {v.GetRawText()}: {problem}");
            }
        }

        public int PositiveInt(string key) => Positive(key, Required(key));

        public int? OptionalPositiveInt(string key) =>
            root.TryGetProperty(key, out var v) && v.ValueKind != JsonValueKind.Null ? Positive(key, v) : null;

        private int Positive(string key, JsonElement v) =>
            v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) && i > 0
                ? i
                : throw new InvalidDataException($"{source}: '{key}' must be a positive integer, got {v.GetRawText()}");

        public int[] IntArray(string key) => Array(key, JsonValueKind.Number, e => e.TryGetInt32(out var i) ? i : throw Bad(key, e));

        public bool[] BoolArray(string key) => Array(key, JsonValueKind.True, e => e.GetBoolean());

        public float[] FloatArray(string key) => Array(key, JsonValueKind.Number, e => e.GetSingle());

        private T[] Array<T>(string key, JsonValueKind kind, Func<JsonElement, T> read)
        {
            var v = Required(key);
            if (v.ValueKind != JsonValueKind.Array)
            {
                throw Bad(key, v);
            }
            var result = new List<T>();
            foreach (var e in v.EnumerateArray())
            {
                bool ok = kind == JsonValueKind.True ? e.ValueKind is JsonValueKind.True or JsonValueKind.False : e.ValueKind == kind;
                result.Add(ok ? read(e) : throw Bad(key, v));
            }
            return [.. result];
        }

        private InvalidDataException Bad(string key, JsonElement v) =>
            new($"{source}: '{key}' has an unexpected value {v.GetRawText()}");
    }
}
