using System.Text.Json;
using System.Text.Json.Nodes;
using Wan.Runtime.Config;

namespace Wan.Convert.Configs;

/// <summary>The JSON files of a diffusers Wan pipeline, as Wan-AI/Wan2.2-T2V-A14B-Diffusers writes them.</summary>
public static class DiffusersConfigs
{
    private const string DiffusersVersion = "0.35.0.dev0";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static JsonObject Transformer(DitConfig d) => new()
    {
        ["_class_name"] = "WanTransformer3DModel",
        ["_diffusers_version"] = DiffusersVersion,
        ["added_kv_proj_dim"] = null,
        ["attention_head_dim"] = d.HeadDim,
        ["cross_attn_norm"] = d.CrossAttnNorm,
        ["eps"] = d.Eps,
        ["ffn_dim"] = d.FfnDim,
        ["freq_dim"] = d.FreqDim,
        ["image_dim"] = null,
        ["in_channels"] = d.InChannels,
        ["num_attention_heads"] = d.Heads,
        ["num_layers"] = d.Layers,
        ["out_channels"] = d.OutChannels,
        ["patch_size"] = Array(new[] { d.Patch.T, d.Patch.H, d.Patch.W }),
        ["pos_embed_seq_len"] = null,
        ["qk_norm"] = "rms_norm_across_heads",
        ["rope_max_seq_len"] = d.RopeMaxSeqLen,
        ["text_dim"] = d.TextDim,
    };

    public static JsonObject TextEncoder(Umt5Config t) => new()
    {
        ["architectures"] = new JsonArray("UMT5EncoderModel"),
        ["classifier_dropout"] = 0.0,
        ["d_ff"] = t.DFf,
        ["d_kv"] = t.DKv,
        ["d_model"] = t.DModel,
        ["decoder_start_token_id"] = 0,
        ["dense_act_fn"] = "gelu_new",
        ["dropout_rate"] = 0.1,
        ["eos_token_id"] = 1,
        ["feed_forward_proj"] = "gated-gelu",
        ["initializer_factor"] = 1.0,
        ["is_encoder_decoder"] = true,
        ["is_gated_act"] = true,
        ["layer_norm_epsilon"] = t.LayerNormEpsilon,
        ["model_type"] = "umt5",
        ["num_decoder_layers"] = t.NumLayers,
        ["num_heads"] = t.NumHeads,
        ["num_layers"] = t.NumLayers,
        ["output_past"] = true,
        ["pad_token_id"] = 0,
        ["relative_attention_max_distance"] = t.RelativeAttentionMaxDistance,
        ["relative_attention_num_buckets"] = t.RelativeAttentionNumBuckets,
        ["scalable_attention"] = true,
        ["tie_word_embeddings"] = false,
        ["tokenizer_class"] = "T5Tokenizer",
        ["torch_dtype"] = "float32",
        ["use_cache"] = true,
        ["vocab_size"] = t.VocabSize,
    };

    public static JsonObject Vae(VaeConfig v) => new()
    {
        ["_class_name"] = "AutoencoderKLWan",
        ["_diffusers_version"] = DiffusersVersion,
        ["attn_scales"] = new JsonArray(),
        ["base_dim"] = v.BaseDim,
        ["decoder_base_dim"] = null,
        ["dim_mult"] = Array(v.DimMult),
        ["dropout"] = 0.0,
        ["in_channels"] = v.InChannels,
        ["is_residual"] = false,
        ["latents_mean"] = Array(v.LatentsMean),
        ["latents_std"] = Array(v.LatentsStd),
        ["num_res_blocks"] = v.NumResBlocks,
        ["out_channels"] = v.OutChannels,
        ["patch_size"] = null,
        ["scale_factor_spatial"] = v.SpatialScale,
        ["scale_factor_temporal"] = v.TemporalScale,
        ["temperal_downsample"] = Array(v.TemporalDownsample),
        ["z_dim"] = v.ZDim,
    };

    /// <summary>
    /// UniPC with flow sigmas. <c>flow_shift</c> is the official <c>sample_shift</c> (12 for T2V-A14B),
    /// not the 3.0 the diffusers conversion script writes: the official pipeline and the goldens use it.
    /// </summary>
    public static JsonObject Scheduler(PipelineConfig p) => new()
    {
        ["_class_name"] = "UniPCMultistepScheduler",
        ["_diffusers_version"] = DiffusersVersion,
        ["beta_end"] = 0.02,
        ["beta_schedule"] = "linear",
        ["beta_start"] = 0.0001,
        ["disable_corrector"] = new JsonArray(),
        ["dynamic_thresholding_ratio"] = 0.995,
        ["final_sigmas_type"] = "zero",
        ["flow_shift"] = p.SampleShift,
        ["lower_order_final"] = true,
        ["num_train_timesteps"] = p.NumTrainTimesteps,
        ["predict_x0"] = true,
        ["prediction_type"] = "flow_prediction",
        ["rescale_betas_zero_snr"] = false,
        ["sample_max_value"] = 1.0,
        ["solver_order"] = 2,
        ["solver_p"] = null,
        ["solver_type"] = "bh2",
        ["steps_offset"] = 0,
        ["thresholding"] = false,
        ["time_shift_type"] = "exponential",
        ["timestep_spacing"] = "linspace",
        ["trained_betas"] = null,
        ["use_beta_sigmas"] = false,
        ["use_dynamic_shifting"] = false,
        ["use_exponential_sigmas"] = false,
        ["use_flow_sigmas"] = true,
        ["use_karras_sigmas"] = false,
    };

    public static JsonObject ModelIndex(WanModelConfig c)
    {
        static JsonArray Lib(string library, string type) => new(library, type);
        var index = new JsonObject
        {
            ["_class_name"] = "WanPipeline",
            ["_diffusers_version"] = DiffusersVersion,
            ["boundary_ratio"] = c.Pipeline.BoundaryRatio,
            ["expand_timesteps"] = false,
            ["scheduler"] = Lib("diffusers", "UniPCMultistepScheduler"),
            ["text_encoder"] = Lib("transformers", "UMT5EncoderModel"),
            ["tokenizer"] = Lib("transformers", "T5TokenizerFast"),
            ["transformer"] = Lib("diffusers", "WanTransformer3DModel"),
            ["transformer_2"] = c.Experts == 2 ? Lib("diffusers", "WanTransformer3DModel") : new JsonArray(null, null),
            ["vae"] = Lib("diffusers", "AutoencoderKLWan"),
        };
        return index;
    }

    /// <summary>The T5 tokenizer files that go beside spiece.model when the source has none.</summary>
    public static JsonObject TokenizerConfig() => new()
    {
        ["additional_special_tokens"] = new JsonArray(),
        ["clean_up_tokenization_spaces"] = true,
        ["eos_token"] = "</s>",
        ["extra_ids"] = 0,
        ["legacy"] = true,
        ["model_max_length"] = 512,
        ["pad_token"] = "<pad>",
        ["sp_model_kwargs"] = new JsonObject(),
        ["tokenizer_class"] = "T5Tokenizer",
        ["unk_token"] = "<unk>",
    };

    public static JsonObject SpecialTokensMap() => new()
    {
        ["eos_token"] = "</s>",
        ["pad_token"] = "<pad>",
        ["unk_token"] = "<unk>",
    };

    public static void Write(string path, JsonNode node) =>
        File.WriteAllText(path, node.ToJsonString(Indented) + "\n");

    private static JsonArray Array<T>(IEnumerable<T> values) => new([.. values.Select(v => JsonValue.Create(v))]);
}
