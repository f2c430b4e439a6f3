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
    /// <summary>The config's file name inside the text encoder folder.</summary>
    public const string FileName = "config.json";

    /// <summary>Width of the concatenated heads (q, k, v rows).</summary>
    public int InnerDim => NumHeads * DKv;

    /// <summary>Reads <c>config.json</c> from a directory, or the given JSON file itself.</summary>
    /// <param name="path">the text encoder folder, or its config file.</param>
    /// <exception cref="Wan.Errors.ConfigException">the file is missing or not JSON, or a key is missing, mistyped or impossible (names the file and key).</exception>
    public static Umt5Config Load(string path)
    {
        var c = JsonConfig.Load(Directory.Exists(path) ? Path.Combine(path, FileName) : path);
        // Only the gated-GELU FFN (wi_0, wi_1, wo) exists in umT5; transformers then uses gelu_new
        // (tanh approximation) whatever dense_act_fn says, so that key is not consulted.
        var ffn = c.String("feed_forward_proj");
        c.Require(ffn == "gated-gelu", "feed_forward_proj", $"is '{ffn}', but the umT5 encoder needs 'gated-gelu'");
        var config = new Umt5Config(
            DModel: c.PositiveInt("d_model"),
            DKv: c.PositiveInt("d_kv"),
            DFf: c.PositiveInt("d_ff"),
            NumHeads: c.PositiveInt("num_heads"),
            NumLayers: c.PositiveInt("num_layers"),
            RelativeAttentionNumBuckets: c.PositiveInt("relative_attention_num_buckets"),
            RelativeAttentionMaxDistance: c.PositiveInt("relative_attention_max_distance"),
            LayerNormEpsilon: (float)c.PositiveDouble("layer_norm_epsilon"),
            VocabSize: c.PositiveInt("vocab_size"));
        c.Product("num_heads × d_kv (attention width)", DitConfig.MaxDimension, config.NumHeads, config.DKv);
        c.Product("vocab_size × d_model (token embedding)", long.MaxValue, config.VocabSize, config.DModel);
        // The bidirectional bucket function halves the buckets (one half per direction), halves again
        // for the exactly-resolved distances and takes log(max_distance / exact range).
        var exact = config.RelativeAttentionNumBuckets / 2 / 2;
        c.Require(exact >= 1, "relative_attention_num_buckets", $"is {config.RelativeAttentionNumBuckets}; bidirectional buckets need at least 4");
        c.Require(config.RelativeAttentionMaxDistance > exact, "relative_attention_max_distance",
            $"{config.RelativeAttentionMaxDistance} must exceed the exactly-resolved range of {exact} positions");
        return config;
    }
}
