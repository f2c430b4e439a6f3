namespace Wan.Runtime.Config;

/// <summary>
/// Hyper-parameters of the Wan2.1 causal 3D VAE, read from a diffusers <c>vae/config.json</c>
/// (<c>AutoencoderKLWan</c>, diffusers <c>autoencoder_kl_wan.py</c>; original <c>wan/modules/vae2_1.py</c>).
/// Channel widths follow from <see cref="BaseDim"/> and <see cref="DimMult"/>; the latent scaling
/// constants are <see cref="LatentsMean"/> and <see cref="LatentsStd"/>. The Wan2.2 residual VAE,
/// patchified VAEs and attention inside the stages are refused naming the key.
/// </summary>
/// <param name="BaseDim">channels of the first stage (<c>base_dim</c>).</param>
/// <param name="ZDim">latent channels (<c>z_dim</c>); must equal the DiT's in/out channels.</param>
/// <param name="DimMult">channel multiplier per stage (<c>dim_mult</c>); stages − 1 spatial 2x resamples.</param>
/// <param name="NumResBlocks">residual blocks per stage (<c>num_res_blocks</c>).</param>
/// <param name="TemporalDownsample">whether each resample also halves time (<c>temperal_downsample</c>, diffusers' spelling).</param>
/// <param name="LatentsMean">per-channel latent mean, <see cref="ZDim"/> values.</param>
/// <param name="LatentsStd">per-channel latent standard deviation, <see cref="ZDim"/> positive values.</param>
/// <param name="InChannels">video channels the encoder reads (3).</param>
/// <param name="OutChannels">video channels the decoder writes (3).</param>
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
    /// <summary>The most resampling stages a config may have (2^16 pixels per latent pixel is already absurd).</summary>
    public const int MaxStages = 17;

    /// <summary>Video pixels per latent pixel along H and W (8 for Wan2.1).</summary>
    public int SpatialScale => 1 << (DimMult.Count - 1);

    /// <summary>Video frames per latent frame after the first (4 for Wan2.1).</summary>
    public int TemporalScale => 1 << TemporalDownsample.Count(d => d);

    /// <summary>Reads and checks a VAE config.json.</summary>
    /// <param name="path">the config file.</param>
    /// <exception cref="Wan.Errors.ConfigException">the file is missing or not JSON, or a key is missing, mistyped,
    /// impossible or selects an unsupported VAE (names the file and key).</exception>
    public static VaeConfig Load(string path) => From(JsonConfig.Load(path));

    /// <summary>Parses config JSON; <paramref name="source"/> names it in error messages.</summary>
    /// <param name="json">the config text.</param>
    /// <param name="source">the name errors give it.</param>
    /// <exception cref="Wan.Errors.ConfigException">as <see cref="Load"/>.</exception>
    public static VaeConfig Parse(string json, string source) => From(JsonConfig.Parse(json, source));

    private static VaeConfig From(JsonConfig c)
    {
        var className = c.String("_class_name", "AutoencoderKLWan");
        c.Require(className == "AutoencoderKLWan", "_class_name", $"is '{className}', expected 'AutoencoderKLWan'");
        c.Require(!c.Bool("is_residual", false), "is_residual", "is true: the Wan2.2 residual VAE is not supported");
        c.RequireAbsent("patch_size", "patchified VAEs are not supported (patch_size must be null)");
        c.Require(c.DoubleArray("attn_scales", []).Length == 0, "attn_scales", "must be []: attention inside the up/down stages is not supported");

        int baseDim = c.PositiveInt("base_dim");
        c.Require(c.PositiveInt("decoder_base_dim", baseDim) == baseDim, "decoder_base_dim", "other than base_dim is not supported");
        int zDim = c.PositiveInt("z_dim");
        var dimMult = c.IntArray("dim_mult");
        c.Require(dimMult.Length is >= 2 and <= MaxStages && dimMult.All(m => m > 0), "dim_mult",
            $"must hold 2 to {MaxStages} positive multipliers, got [{string.Join(", ", dimMult)}]");
        foreach (var m in dimMult)
        {
            c.Product("base_dim × dim_mult (stage channels)", DitConfig.MaxDimension, baseDim, m);
        }
        int numResBlocks = c.PositiveInt("num_res_blocks");
        var temporal = c.BoolArray("temperal_downsample");
        c.Require(temporal.Length == dimMult.Length - 1, "temperal_downsample",
            $"has {temporal.Length} entries, expected {dimMult.Length - 1} (one per downsampling stage)");
        var mean = c.DoubleArray("latents_mean").Select(v => (float)v).ToArray();
        var std = c.DoubleArray("latents_std").Select(v => (float)v).ToArray();
        c.Require(mean.Length == zDim && std.Length == zDim, "latents_mean",
            $"and 'latents_std' hold {mean.Length} and {std.Length} values; z_dim = {zDim} needs {zDim} each");
        c.Require(mean.All(float.IsFinite), "latents_mean", "must be finite");
        c.Require(std.All(s => s > 0 && float.IsFinite(s)), "latents_std", "must be positive and finite");
        var config = new VaeConfig(baseDim, zDim, dimMult, numResBlocks, temporal, mean, std,
            c.PositiveInt("in_channels", 3), c.PositiveInt("out_channels", 3));
        // diffusers writes the strides too; when present they must agree with the stages.
        c.Require(c.Int("scale_factor_spatial", config.SpatialScale) == config.SpatialScale, "scale_factor_spatial",
            $"disagrees with dim_mult, which gives {config.SpatialScale}");
        c.Require(c.Int("scale_factor_temporal", config.TemporalScale) == config.TemporalScale, "scale_factor_temporal",
            $"disagrees with temperal_downsample, which gives {config.TemporalScale}");
        return config;
    }
}
