using System.Text.Json;

namespace Wan.Runtime.Config;

/// <summary>
/// Hyper-parameters of the umT5 encoder, read from a transformers <c>text_encoder/config.json</c>
/// (UMT5EncoderModel). Only what the encoder's numbers depend on is kept.
/// </summary>
/// <param name="DModel">width of the residual stream (d_model).</param>
/// <param name="DKv">per-head width of q, k and v (d_kv); attention width = NumHeads · DKv.</param>
/// <param name="DFf">width of the gated FFN (d_ff).</param>
/// <param name="NumHeads">attention heads.</param>
/// <param name="NumLayers">encoder layers; each has its own relative-position bias table.</param>
/// <param name="RelativeAttentionNumBuckets">buckets of the relative-position bias.</param>
/// <param name="RelativeAttentionMaxDistance">distance from which all positions share the last bucket.</param>
/// <param name="LayerNormEpsilon">epsilon of every RMS norm.</param>
/// <param name="VocabSize">rows of the token embedding.</param>
public sealed record Umt5Config(
    int DModel,
    int DKv,
    int DFf,
    int NumHeads,
    int NumLayers,
    int RelativeAttentionNumBuckets,
    int RelativeAttentionMaxDistance,
    float LayerNormEpsilon,
    int VocabSize)
{
    public const string FileName = "config.json";

    /// <summary>Width of the concatenated heads (q, k, v rows).</summary>
    public int InnerDim => NumHeads * DKv;

    /// <summary>Reads <c>config.json</c> from a directory, or the given JSON file itself.</summary>
    public static Umt5Config Load(string path)
    {
        var file = Directory.Exists(path) ? Path.Combine(path, FileName) : path;
        if (!File.Exists(file))
        {
            throw new FileNotFoundException($"{file}: umT5 config not found", file);
        }
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllBytes(file));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{file}: not valid JSON ({e.Message})", e);
        }
        using (doc)
        {
            return Parse(doc.RootElement, file);
        }
    }

    /// <summary>Builds the config from a parsed config object; <paramref name="file"/> names it in errors.</summary>
    public static Umt5Config Parse(JsonElement root, string file)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"{file}: expected a JSON object, got {root.ValueKind}");
        }
        // Only the gated-GELU FFN (wi_0, wi_1, wo) exists in umT5; transformers then uses gelu_new
        // (tanh approximation) whatever dense_act_fn says, so that key is not consulted.
        var ffn = RequiredString(root, file, "feed_forward_proj");
        if (ffn != "gated-gelu")
        {
            throw new InvalidDataException($"{file}: 'feed_forward_proj' is '{ffn}', but the umT5 encoder needs 'gated-gelu'");
        }
        var config = new Umt5Config(
            DModel: PositiveInt(root, file, "d_model"),
            DKv: PositiveInt(root, file, "d_kv"),
            DFf: PositiveInt(root, file, "d_ff"),
            NumHeads: PositiveInt(root, file, "num_heads"),
            NumLayers: PositiveInt(root, file, "num_layers"),
            RelativeAttentionNumBuckets: PositiveInt(root, file, "relative_attention_num_buckets"),
            RelativeAttentionMaxDistance: PositiveInt(root, file, "relative_attention_max_distance"),
            LayerNormEpsilon: PositiveFloat(root, file, "layer_norm_epsilon"),
            VocabSize: PositiveInt(root, file, "vocab_size"));
        // The bidirectional bucket function halves the buckets (one half per direction), halves again
        // for the exactly-resolved distances and takes log(max_distance / exact range).
        var exact = config.RelativeAttentionNumBuckets / 2 / 2;
        if (exact < 1)
        {
            throw new InvalidDataException($"{file}: 'relative_attention_num_buckets' is {config.RelativeAttentionNumBuckets}; bidirectional buckets need at least 4");
        }
        if (config.RelativeAttentionMaxDistance <= exact)
        {
            throw new InvalidDataException($"{file}: 'relative_attention_max_distance' {config.RelativeAttentionMaxDistance} must exceed the exactly-resolved range of {exact} positions");
        }
        return config;
    }

    private static JsonElement Required(JsonElement root, string file, string key) =>
        root.TryGetProperty(key, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : throw new InvalidDataException($"{file}: missing key '{key}'");

    private static string RequiredString(JsonElement root, string file, string key)
    {
        var value = Required(root, file, key);
        return value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new InvalidDataException($"{file}: key '{key}' must be a string, got {value.ValueKind} {value.GetRawText()}");
    }

    private static int PositiveInt(JsonElement root, string file, string key)
    {
        var value = Required(root, file, key);
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var n) || n <= 0)
        {
            throw new InvalidDataException($"{file}: key '{key}' must be a positive integer, got {value.GetRawText()}");
        }
        return n;
    }

    private static float PositiveFloat(JsonElement root, string file, string key)
    {
        var value = Required(root, file, key);
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var x) || !(x > 0) || !double.IsFinite(x))
        {
            throw new InvalidDataException($"{file}: key '{key}' must be a positive number, got {value.GetRawText()}");
        }
        return (float)x;
    }
}
