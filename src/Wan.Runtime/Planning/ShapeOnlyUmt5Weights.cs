using Wan.Runtime.Config;

namespace Wan.Runtime.Planning;

/// <summary>
/// Every weight of a umT5 encoder of <see cref="Umt5Config"/> by its transformers name and shape (UMT5EncoderModel,
/// the names <c>Umt5Encoder</c> loads: a relative-position bias table in every layer), as shape-only BF16 tensors.
/// </summary>
internal sealed class ShapeOnlyUmt5Weights : ShapeOnlyWeights
{
    /// <summary>umT5-XXL (google/umt5-xxl config.json, Wan2.2's text encoder): d_model 4096, 64 heads × d_kv 64, d_ff 10240, 24 layers.</summary>
    public static Umt5Config Xxl { get; } = new(4096, 64, 10240, 64, 24, 32, 128, 1e-6f, 256_384);

    public ShapeOnlyUmt5Weights(Umt5Config c, string location)
        : base(location)
    {
        for (int i = 0; i < c.NumLayers; i++)
        {
            string attention = $"encoder.block.{i}.layer.0.", ffn = $"encoder.block.{i}.layer.1.";
            foreach (var projection in new[] { "q", "k", "v" })
            {
                Add($"{attention}SelfAttention.{projection}.weight", c.InnerDim, c.DModel);
            }
            Add(attention + "SelfAttention.o.weight", c.DModel, c.InnerDim);
            Add(attention + "SelfAttention.relative_attention_bias.weight", c.RelativeAttentionNumBuckets, c.NumHeads);
            Add(attention + "layer_norm.weight", c.DModel);
            Add(ffn + "DenseReluDense.wi_0.weight", c.DFf, c.DModel);
            Add(ffn + "DenseReluDense.wi_1.weight", c.DFf, c.DModel);
            Add(ffn + "DenseReluDense.wo.weight", c.DModel, c.DFf);
            Add(ffn + "layer_norm.weight", c.DModel);
        }
        Add("encoder.final_layer_norm.weight", c.DModel);
        Add("shared.weight", c.VocabSize, c.DModel);
    }
}
