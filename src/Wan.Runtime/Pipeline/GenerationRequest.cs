using Wan.Runtime.Pipeline.LongVideo;

namespace Wan.Runtime.Pipeline;

/// <summary>
/// What to generate. Defaults are the original T2V-A14B sampling settings, except the size, which a
/// caller should always choose. <see cref="Shift"/> defaults to the original 12.0, not the 3.0 that
/// diffusers' converted scheduler config carries.
/// </summary>
public sealed record GenerationRequest
{
    /// <summary>What the video shows (cleaned as the original Wan does, then tokenized by umT5).</summary>
    public required string Prompt { get; init; }

    /// <summary>Empty means the model family's default negative prompt (<see cref="WanDefaults.NegativePrompt"/>).</summary>
    public string NegativePrompt { get; init; } = "";

    /// <summary>Video frames, 4k+1 (default 81).</summary>
    public int Frames { get; init; } = WanDefaults.Frames;
    /// <summary>Height in pixels, a positive multiple of 16.</summary>
    public int Height { get; init; } = WanDefaults.Height;
    /// <summary>Width in pixels, a positive multiple of 16.</summary>
    public int Width { get; init; } = WanDefaults.Width;
    /// <summary>Denoising steps (default 40, the original T2V-A14B sample_steps).</summary>
    public int Steps { get; init; } = Solvers.FlowSolvers.T2VA14BSteps;
    /// <summary>Seed of the initial noise (<see cref="NoiseGenerator"/>).</summary>
    public long Seed { get; init; }
    /// <summary>Classifier-free guidance scale of the low-noise expert.</summary>
    public double GuidanceLow { get; init; } = WanDefaults.GuidanceLow;
    /// <summary>Classifier-free guidance scale of the high-noise expert.</summary>
    public double GuidanceHigh { get; init; } = WanDefaults.GuidanceHigh;
    /// <summary>Sigma shift of the flow schedule (original 12.0).</summary>
    public double Shift { get; init; } = Solvers.FlowSolvers.T2VA14BShift;

    /// <summary>"unipc" (default), "dpm++" or "euler".</summary>
    public string Solver { get; init; } = "unipc";

    /// <summary>Initial latent [16, F, H/8, W/8] to use instead of the seeded noise.</summary>
    public float[]? Noise { get; init; }

    /// <summary>Frames per second of the output video.</summary>
    public int Fps { get; init; } = WanDefaults.Fps;

    /// <summary>
    /// Context-window length in video frames (4k+1; default 81 = 21 latent frames): a longer video is
    /// denoised in overlapping windows of this length (<see cref="ContextWindowPlan"/>); a window at
    /// least as long as the video gives today's single-pass result exactly.
    /// </summary>
    public int WindowFrames { get; init; } = WanDefaults.Frames;

    /// <summary>Overlap of neighbouring context windows in video frames (4k+1; default 29 = 8 latent frames), shorter than the window.</summary>
    public int OverlapFrames { get; init; } = WanDefaults.OverlapFrames;

    /// <summary>How window predictions are mixed in the overlaps (default raised cosine; see docs/long-video.md).</summary>
    public WindowBlending Blending { get; init; } = WindowBlending.RaisedCosine;

    /// <summary>
    /// Sliding-window self-attention radius R in latent frames: a query of latent frame f attends only to
    /// frames [f − R, f + R] (<see cref="Backends.AttentionFrameWindow"/>); null (default) = full attention.
    /// </summary>
    public int? AttentionWindow { get; init; }

    /// <summary>The context windows of this request's latent.</summary>
    /// <exception cref="ArgumentException">the request or its window options are invalid (named).</exception>
    public ContextWindowPlan ContextWindows()
    {
        if (AttentionWindow is < 0)
        {
            throw new ArgumentException($"attention window must be at least 0 latent frames, got {AttentionWindow}");
        }
        return ContextWindowPlan.FromVideoFrames(LatentShape()[1], WindowFrames, OverlapFrames, Blending);
    }

    /// <summary>Latent shape [16, 1 + (frames − 1)/4, H/8, W/8]; throws naming the bad setting.</summary>
    public int[] LatentShape()
    {
        if (Frames < 1 || (Frames - 1) % WanDefaults.TimeStride != 0)
        {
            throw new ArgumentException($"frames must be 4k+1 (1, 5, 9, ..., 81), got {Frames}");
        }
        if (Height < 16 || Width < 16 || Height % 16 != 0 || Width % 16 != 0)
        {
            throw new ArgumentException($"height and width must be positive multiples of 16, got {Width}x{Height}");
        }
        if (Steps < 1)
        {
            throw new ArgumentException($"steps must be at least 1, got {Steps}");
        }
        if (!double.IsFinite(Shift) || Shift <= 0)
        {
            throw new ArgumentException($"shift must be a positive number, got {Shift}");
        }
        return [WanDefaults.LatentChannels, 1 + (Frames - 1) / WanDefaults.TimeStride, Height / WanDefaults.SpaceStride, Width / WanDefaults.SpaceStride];
    }
}
