using System.Text.Json.Nodes;

namespace Wan.Convert.Configs;

/// <summary>wan_config.json (the original layout's hyper-parameter file, keys as in the fixtures) for a configuration.</summary>
public static class WanConfigJson
{
    public static JsonObject From(WanModelConfig c) => new()
    {
        ["boundary"] = c.Pipeline.BoundaryRatio,
        ["num_train_timesteps"] = c.Pipeline.NumTrainTimesteps,
        ["sample_shift"] = c.Pipeline.SampleShift,
        ["dit"] = new JsonObject
        {
            ["cross_attn_norm"] = c.Dit.CrossAttnNorm,
            ["dim"] = c.Dit.Dim,
            ["eps"] = c.Dit.Eps,
            ["ffn_dim"] = c.Dit.FfnDim,
            ["freq_dim"] = c.Dit.FreqDim,
            ["in_dim"] = c.Dit.InChannels,
            ["num_heads"] = c.Dit.Heads,
            ["num_layers"] = c.Dit.Layers,
            ["out_dim"] = c.Dit.OutChannels,
            ["rope_max_positions"] = c.Dit.RopeMaxSeqLen,
            ["text_dim"] = c.Dit.TextDim,
        },
        ["t5"] = new JsonObject
        {
            ["max_distance"] = c.T5.RelativeAttentionMaxDistance,
            ["num_heads"] = c.T5.NumHeads,
            ["eps"] = c.T5.LayerNormEpsilon,
        },
        ["vae"] = new JsonObject
        {
            ["dim_mult"] = new JsonArray([.. c.Vae.DimMult.Select(v => JsonValue.Create(v))]),
            ["num_res_blocks"] = c.Vae.NumResBlocks,
            ["temperal_downsample"] = new JsonArray([.. c.Vae.TemporalDownsample.Select(v => JsonValue.Create(v))]),
            ["latents_mean"] = new JsonArray([.. c.Vae.LatentsMean.Select(v => JsonValue.Create(v))]),
            ["latents_std"] = new JsonArray([.. c.Vae.LatentsStd.Select(v => JsonValue.Create(v))]),
        },
    };
}
