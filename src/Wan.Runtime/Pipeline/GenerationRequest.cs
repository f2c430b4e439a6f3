namespace Wan.Runtime.Pipeline;

/// <summary>
/// What to generate. Defaults are the original T2V-A14B sampling settings, except the size, which a
/// caller should always choose. <see cref="Shift"/> defaults to the original 12.0, not the 3.0 that
/// diffusers' converted scheduler config carries.
/// </summary>
public sealed record GenerationRequest
{
    public required string Prompt { get; init; }

    /// <summary>Empty means the model family's default negative prompt (<see cref="WanDefaults.NegativePrompt"/>).</summary>
    public string NegativePrompt { get; init; } = "";

    public int Frames { get; init; } = WanDefaults.Frames;
    public int Height { get; init; } = WanDefaults.Height;
    public int Width { get; init; } = WanDefaults.Width;
    public int Steps { get; init; } = Solvers.FlowSolvers.T2VA14BSteps;
    public long Seed { get; init; }
    public double GuidanceLow { get; init; } = WanDefaults.GuidanceLow;
    public double GuidanceHigh { get; init; } = WanDefaults.GuidanceHigh;
    public double Shift { get; init; } = Solvers.FlowSolvers.T2VA14BShift;

    /// <summary>"unipc" (default), "dpm++", "euler" or "step-distill" (4 steps; see <see cref="Solvers.SamplingPreset.Lightning"/>).</summary>
    public string Solver { get; init; } = "unipc";

    /// <summary>
    /// TeaCache step-caching threshold (<see cref="Caching.TeaCache"/>): null = no caching; 0 = the cache runs but never
    /// skips; larger skips more DiT forwards (TeaCache's Wan2.1-14B examples: 0.14, 0.2).
    /// </summary>
    public double? CacheThreshold { get; init; }

    /// <summary>Initial latent [16, F, H/8, W/8] to use instead of the seeded noise.</summary>
    public float[]? Noise { get; init; }

    public int Fps { get; init; } = WanDefaults.Fps;

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
        if (CacheThreshold is { } threshold && (!double.IsFinite(threshold) || threshold < 0))
        {
            throw new ArgumentException($"the step-cache threshold must be a finite number >= 0, got {threshold}");
        }
        return [WanDefaults.LatentChannels, 1 + (Frames - 1) / WanDefaults.TimeStride, Height / WanDefaults.SpaceStride, Width / WanDefaults.SpaceStride];
    }
}
