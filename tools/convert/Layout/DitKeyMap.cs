namespace Wan.Convert.Layout;

/// <summary>WanModel (original) -> WanTransformer3DModel (diffusers) names; fixtures README section 3.</summary>
public sealed class DitKeyMap : RegexKeyMap
{
    private const string WB = @"(weight|bias)";

    public DitKeyMap()
        : base(
            (@"patch_embedding\." + WB, "patch_embedding.$1"),
            (@"text_embedding\.0\." + WB, "condition_embedder.text_embedder.linear_1.$1"),
            (@"text_embedding\.2\." + WB, "condition_embedder.text_embedder.linear_2.$1"),
            (@"time_embedding\.0\." + WB, "condition_embedder.time_embedder.linear_1.$1"),
            (@"time_embedding\.2\." + WB, "condition_embedder.time_embedder.linear_2.$1"),
            (@"time_projection\.1\." + WB, "condition_embedder.time_proj.$1"),
            (@"head\.modulation", "scale_shift_table"),
            (@"head\.head\." + WB, "proj_out.$1"),
            (@"blocks\.(\d+)\.modulation", "blocks.$1.scale_shift_table"),
            (@"blocks\.(\d+)\.self_attn\.([qkv])\." + WB, "blocks.$1.attn1.to_$2.$3"),
            (@"blocks\.(\d+)\.self_attn\.o\." + WB, "blocks.$1.attn1.to_out.0.$2"),
            (@"blocks\.(\d+)\.self_attn\.norm_([qk])\.weight", "blocks.$1.attn1.norm_$2.weight"),
            (@"blocks\.(\d+)\.cross_attn\.([qkv])\." + WB, "blocks.$1.attn2.to_$2.$3"),
            (@"blocks\.(\d+)\.cross_attn\.o\." + WB, "blocks.$1.attn2.to_out.0.$2"),
            (@"blocks\.(\d+)\.cross_attn\.norm_([qk])\.weight", "blocks.$1.attn2.norm_$2.weight"),
            // The cross-attention LayerNorm is norm3 in the original and norm2 in diffusers.
            (@"blocks\.(\d+)\.norm3\." + WB, "blocks.$1.norm2.$2"),
            (@"blocks\.(\d+)\.ffn\.0\." + WB, "blocks.$1.ffn.net.0.proj.$2"),
            (@"blocks\.(\d+)\.ffn\.2\." + WB, "blocks.$1.ffn.net.2.$2"))
    {
    }
}
