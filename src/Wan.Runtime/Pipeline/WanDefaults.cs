namespace Wan.Runtime.Pipeline;

/// <summary>
/// The original Wan2.2 T2V-A14B sampling defaults (<c>wan/configs/t2v_A14B.py</c>), used when a request
/// leaves them out. Model sizes (latent channels, VAE strides, patch) are not here: they come from the
/// model's configs (<see cref="Config.ModelGeometry"/>).
/// </summary>
public static class WanDefaults
{
    /// <summary>The config's <c>sample_neg_prompt</c>, used when the negative prompt is empty.</summary>
    public const string NegativePrompt =
        "色调艳丽，过曝，静态，细节模糊不清，字幕，风格，作品，画作，画面，静止，整体发灰，最差质量，低质量，JPEG压缩残留，丑陋的，残缺的，多余的手指，画得不好的手部，画得不好的脸部，畸形的，毁容的，形态畸形的肢体，手指融合，静止不动的画面，杂乱的背景，三条腿，背景人很多，倒着走";

    /// <summary>Guidance scale of the low-noise expert (sample_guide_scale[0]).</summary>
    public const double GuidanceLow = 3.0;

    /// <summary>Guidance scale of the high-noise expert (sample_guide_scale[1]).</summary>
    public const double GuidanceHigh = 4.0;

    /// <summary>Video frames (frame_num).</summary>
    public const int Frames = 81;

    /// <summary>Video height in pixels (the 720p size).</summary>
    public const int Height = 720;

    /// <summary>Video width in pixels (the 720p size).</summary>
    public const int Width = 1280;

    /// <summary>Frames per second of the written video (sample_fps).</summary>
    public const int Fps = 16;

    /// <summary>Default overlap of context windows in video frames: 29 = 8 latent frames (issue 14).</summary>
    public const int OverlapFrames = 29;
}
