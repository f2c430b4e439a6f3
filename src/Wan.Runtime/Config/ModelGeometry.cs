using Wan.Errors;

namespace Wan.Runtime.Config;

/// <summary>
/// The sizes a request must fit, read from a model folder's configs at load instead of assumed:
/// latent channels (<c>vae/config.json</c> <c>z_dim</c> = the DiT's <c>in_channels</c>), the VAE's
/// strides (2^(stages−1) in space, 2^(temporal downsamples) in time), the DiT patch and the RoPE
/// table's positions per axis. <see cref="Load"/> cross-checks the components and refuses, naming the
/// file and key, a model the runtime cannot run. Wan2.2-T2V-A14B: 16 channels, 4x time, 8x space,
/// patch (1, 2, 2), 1024 positions.
/// </summary>
/// <param name="LatentChannels">channels of the latent [C, F, H, W] (VAE z_dim).</param>
/// <param name="TemporalStride">video frames per latent frame after the first.</param>
/// <param name="SpatialStride">video pixels per latent pixel along H and W.</param>
/// <param name="Patch">DiT patch (frames, height, width) in latent cells.</param>
/// <param name="RopeMaxPositions">the most patches along any axis the DiT's RoPE table covers.</param>
public sealed record ModelGeometry(int LatentChannels, int TemporalStride, int SpatialStride, (int T, int H, int W) Patch, int RopeMaxPositions)
{
    /// <summary>Video height must be a multiple of this (VAE stride × DiT patch).</summary>
    public int HeightMultiple => SpatialStride * Patch.H;

    /// <summary>Video width must be a multiple of this (VAE stride × DiT patch).</summary>
    public int WidthMultiple => SpatialStride * Patch.W;

    /// <summary>
    /// Reads the configs of a diffusers model folder (no weights) and checks that they describe one
    /// runnable text-to-video model: the VAE's <c>z_dim</c> is the DiT's <c>in_channels</c>, the DiT's
    /// <c>text_dim</c> is umT5's <c>d_model</c>, both experts share their geometry.
    /// </summary>
    /// <param name="modelDirectory">the model folder (model_index.json, transformer/, vae/, text_encoder/).</param>
    /// <exception cref="ModelFileException">the folder does not exist or is a file.</exception>
    /// <exception cref="ConfigException">a config is missing, malformed, describes a model that cannot run here, or disagrees with another (names the file and key).</exception>
    public static ModelGeometry Load(string modelDirectory)
    {
        ModelFolder.Check(modelDirectory);
        var index = ModelIndexConfig.Load(modelDirectory);
        var highPath = Path.Combine(modelDirectory, "transformer", "config.json");
        var high = DitConfig.Load(highPath);
        if (index.HasSecondExpert)
        {
            var lowPath = Path.Combine(modelDirectory, "transformer_2", "config.json");
            var low = DitConfig.Load(lowPath);
            SameAs(lowPath, "in_channels", low.InChannels, high.InChannels, highPath);
            SameAs(lowPath, "patch_size", low.Patch, high.Patch, highPath);
            SameAs(lowPath, "text_dim", low.TextDim, high.TextDim, highPath);
            SameAs(lowPath, "rope_max_seq_len", low.RopeMaxSeqLen, high.RopeMaxSeqLen, highPath);
        }
        var vaePath = Path.Combine(modelDirectory, "vae", "config.json");
        var vae = VaeConfig.Load(vaePath);
        if (vae.ZDim != high.InChannels)
        {
            throw new ConfigException(vaePath, "z_dim",
                $"is {vae.ZDim} but '{highPath}' has 'in_channels' {high.InChannels}: the DiT must denoise the VAE's latents");
        }
        var textPath = Path.Combine(modelDirectory, "text_encoder", Umt5Config.FileName);
        var text = Umt5Config.Load(textPath);
        if (text.DModel != high.TextDim)
        {
            throw new ConfigException(highPath, "text_dim",
                $"is {high.TextDim} but '{textPath}' has 'd_model' {text.DModel}: the DiT must read the text encoder's output");
        }
        return new ModelGeometry(vae.ZDim, vae.TemporalScale, vae.SpatialScale, high.Patch, high.RopeMaxSeqLen);
    }

    private static void SameAs<T>(string path, string key, T value, T expected, string expectedPath)
    {
        if (!EqualityComparer<T>.Default.Equals(value, expected))
        {
            throw new ConfigException(path, key, $"is {value} but '{expectedPath}' has {expected}: both experts must share the latent geometry");
        }
    }
}
