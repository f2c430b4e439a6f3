namespace Wan.Runtime.Pipeline;

/// <summary>The original Wan2.2 T2V-A14B sampling defaults (wan/configs), used when a request leaves them out.</summary>
public static class WanDefaults
{
    /// <summary>The config's <c>sample_neg_prompt</c>, used when the negative prompt is empty.</summary>
    public const string NegativePrompt =
        "色调艳丽，过曝，静态，细节模糊不清，字幕，风格，作品，画作，画面，静止，整体发灰，最差质量，低质量，JPEG压缩残留，丑陋的，残缺的，多余的手指，画得不好的手部，画得不好的脸部，畸形的，毁容的，形态畸形的肢体，手指融合，静止不动的画面，杂乱的背景，三条腿，背景人很多，倒着走";

    /// <summary>Guidance scale of the low-noise expert (sample_guide_scale[0]).</summary>
    public const double GuidanceLow = 3.0;

    /// <summary>Guidance scale of the high-noise expert (sample_guide_scale[1]).</summary>
    public const double GuidanceHigh = 4.0;

    public const int Frames = 81;
    public const int Height = 720;
    public const int Width = 1280;
    public const int Fps = 16;

    /// <summary>Default overlap of context windows in video frames: 29 = 8 latent frames (issue 14).</summary>
    public const int OverlapFrames = 29;
    public const int TextLength = 512;

    /// <summary>VAE compression: 4x in time, 8x in space; the DiT patch adds 2x in space.</summary>
    public const int TimeStride = 4;
    public const int SpaceStride = 8;
    public const int LatentChannels = 16;
}
