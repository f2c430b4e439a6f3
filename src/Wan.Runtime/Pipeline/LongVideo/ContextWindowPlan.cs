namespace Wan.Runtime.Pipeline.LongVideo;

/// <summary>
/// How a latent of F frames is cut into overlapping temporal windows of the same length for
/// context-window denoising: the fewest windows whose overlaps are all at least the asked overlap,
/// spread evenly from the first latent frame to the last (so the overlaps differ by at most one frame). In each
/// overlap the two windows' weights ramp (<see cref="WindowBlending"/>) so that they sum to 1; the
/// blended prediction is Σ wᵢ·vᵢ / Σ wᵢ. A window that covers the whole latent gives one window of
/// weight 1, so the blend is the plain prediction bit for bit.
/// </summary>
public sealed class ContextWindowPlan
{
    private ContextWindowPlan(int latentFrames, IReadOnlyList<ContextWindow> windows, WindowBlending blending, int temporalStride)
    {
        LatentFrames = latentFrames;
        TemporalStride = temporalStride;
        Windows = windows;
        Blending = blending;
    }

    /// <summary>Latent frames of the whole video.</summary>
    public int LatentFrames { get; }

    /// <summary>Video frames per latent frame after the first (the VAE's temporal stride, 4 for Wan): latent frame f ≥ 1 decodes to video frames stride·(f − 1) + 1 .. stride·f.</summary>
    public int TemporalStride { get; }

    /// <summary>The windows in order, each of the same length (the whole latent when it is shorter than a window).</summary>
    public IReadOnlyList<ContextWindow> Windows { get; }

    /// <summary>The ramp used in the overlaps.</summary>
    public WindowBlending Blending { get; }

    /// <summary>
    /// The plan for <paramref name="latentFrames"/> latent frames with windows of <paramref name="window"/>
    /// and overlaps of at least <paramref name="overlap"/> latent frames.
    /// </summary>
    /// <exception cref="ArgumentException">a count is not positive, or the overlap is not shorter than the window.</exception>
    public static ContextWindowPlan Create(int latentFrames, int window, int overlap, WindowBlending blending, int temporalStride)
    {
        if (temporalStride < 1)
        {
            throw new ArgumentException($"context windows: temporal stride {temporalStride} must be at least 1");
        }
        if (latentFrames < 1)
        {
            throw new ArgumentException($"context windows: the latent needs at least 1 frame, got {latentFrames}");
        }
        if (window < 1 || overlap < 0 || overlap >= window)
        {
            throw new ArgumentException($"context windows: overlap {overlap} must be at least 0 and shorter than the window of {window} latent frames");
        }
        int length = Math.Min(window, latentFrames);
        // The fewest windows whose overlaps are all at least `overlap`, spread evenly (rounded starts).
        int stride = window - overlap, span = latentFrames - length;
        int count = 1 + (span + stride - 1) / stride;
        var starts = Enumerable.Range(0, count).Select(i => count == 1 ? 0 : (int)((2L * i * span + count - 1) / (2L * (count - 1)))).ToList();
        var windows = new ContextWindow[starts.Count];
        for (int i = 0; i < starts.Count; i++)
        {
            int rampIn = i == 0 ? 0 : starts[i - 1] + length - starts[i];
            int rampOut = i == starts.Count - 1 ? 0 : starts[i] + length - starts[i + 1];
            var weights = new float[length];
            for (int j = 0; j < length; j++)
            {
                double w = 1;
                if (j < rampIn)
                {
                    w = Math.Min(w, Ramp((j + 1.0) / (rampIn + 1), blending));
                }
                if (length - 1 - j < rampOut)
                {
                    w = Math.Min(w, Ramp((length - j) / (rampOut + 1.0), blending));
                }
                weights[j] = (float)w;
            }
            windows[i] = new ContextWindow(starts[i], length, weights);
        }
        return new ContextWindowPlan(latentFrames, windows, blending, temporalStride);
    }

    /// <summary>
    /// The plan for options in video frames (each 1 + k·stride, 4k+1 for Wan): window and overlap become
    /// 1 + (frames − 1)/stride latent frames.
    /// </summary>
    /// <exception cref="ArgumentException">a frame count is not 1 + k·stride, or the overlap is not shorter than the window.</exception>
    public static ContextWindowPlan FromVideoFrames(int latentFrames, int windowFrames, int overlapFrames, WindowBlending blending, int temporalStride) =>
        Create(latentFrames, LatentFramesOf(windowFrames, "window", temporalStride), LatentFramesOf(overlapFrames, "overlap", temporalStride),
            blending, temporalStride);

    /// <summary>Latent frames of a count of video frames 1 + k·stride (1 + k); <paramref name="what"/> names the option in the error.</summary>
    /// <exception cref="ArgumentException">the count is not 1 + k·stride.</exception>
    public static int LatentFramesOf(int videoFrames, string what, int temporalStride)
    {
        if (videoFrames < 1 || (videoFrames - 1) % temporalStride != 0)
        {
            throw new ArgumentException($"{what} must be {temporalStride}k+1 video frames, got {videoFrames}");
        }
        return 1 + (videoFrames - 1) / temporalStride;
    }

    private static double Ramp(double a, WindowBlending blending) =>
        blending == WindowBlending.Linear ? a : 0.5 - 0.5 * Math.Cos(Math.PI * a);
}
