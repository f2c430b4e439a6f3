namespace Wan.Convert.Layout;

/// <summary>Wan T5Encoder (original) -> transformers UMT5EncoderModel names; fixtures README section 3.</summary>
public sealed class T5KeyMap : RegexKeyMap
{
    public T5KeyMap()
        : base(
            (@"token_embedding\.weight", "shared.weight"),
            (@"blocks\.(\d+)\.norm1\.weight", "encoder.block.$1.layer.0.layer_norm.weight"),
            (@"blocks\.(\d+)\.attn\.([qkvo])\.weight", "encoder.block.$1.layer.0.SelfAttention.$2.weight"),
            (@"blocks\.(\d+)\.pos_embedding\.embedding\.weight", "encoder.block.$1.layer.0.SelfAttention.relative_attention_bias.weight"),
            (@"blocks\.(\d+)\.norm2\.weight", "encoder.block.$1.layer.1.layer_norm.weight"),
            // gate.0 is the GELU branch (wi_0), fc1 the linear branch (wi_1).
            (@"blocks\.(\d+)\.ffn\.gate\.0\.weight", "encoder.block.$1.layer.1.DenseReluDense.wi_0.weight"),
            (@"blocks\.(\d+)\.ffn\.fc1\.weight", "encoder.block.$1.layer.1.DenseReluDense.wi_1.weight"),
            (@"blocks\.(\d+)\.ffn\.fc2\.weight", "encoder.block.$1.layer.1.DenseReluDense.wo.weight"),
            (@"norm\.weight", "encoder.final_layer_norm.weight"))
    {
    }
}
