using Wan.Runtime.Tensors;

namespace Wan.Runtime.Pipeline.LongVideo;

/// <summary>
/// Context-window denoising of one step: every window of the plan is cut out of the latent
/// [C, F, H, W], given to the expert as a video of its own (so its RoPE frame positions start at 0,
/// as in training), and the guided predictions are blended with the plan's weights into one
/// velocity for the whole latent. The expert's text K/V (both guidance branches) are prepared once
/// and shared by all windows; all windows have the same shape, so a captured step graph serves them all.
/// </summary>
internal static class WindowedVelocity
{
    /// <summary>
    /// Σ wᵢ·vᵢ / Σ wᵢ over the windows, and the NaN/Inf count of all predictions. Cancellation is
    /// checked before every window; <paramref name="windowDone"/> is told the windows done.
    /// </summary>
    public static (float[] Velocity, long NonFinite) Compute(GuidedExpertStep step, ContextWindowPlan plan, float[] latent,
        Shape latentShape, double t, float guidance, Action<int>? windowDone, CancellationToken cancellation)
    {
        int channels = latentShape[0], frames = latentShape[1];
        int plane = checked(latentShape[2] * latentShape[3]);
        var sum = new float[latent.Length];
        var weightOfFrame = new float[frames];
        long nonFinite = 0;
        int length = plan.Windows[0].Length;
        var window = new float[checked(channels * length * plane)];
        for (int i = 0; i < plan.Windows.Count; i++)
        {
            cancellation.ThrowIfCancellationRequested();
            var w = plan.Windows[i];
            for (int c = 0; c < channels; c++)
            {
                latent.AsSpan((c * frames + w.Start) * plane, length * plane).CopyTo(window.AsSpan(c * length * plane));
            }
            var (v, count) = step.Velocity(window, t, guidance, cancellation);
            nonFinite += count;
            for (int c = 0; c < channels; c++)
            {
                for (int f = 0; f < length; f++)
                {
                    float weight = w.Weights[f];
                    var source = v.AsSpan((c * length + f) * plane, plane);
                    var target = sum.AsSpan((c * frames + w.Start + f) * plane, plane);
                    for (int p = 0; p < plane; p++)
                    {
                        target[p] += weight * source[p];
                    }
                }
            }
            for (int f = 0; f < length; f++)
            {
                weightOfFrame[w.Start + f] += w.Weights[f];
            }
            windowDone?.Invoke(i + 1);
        }
        for (int c = 0; c < channels; c++)
        {
            for (int f = 0; f < frames; f++)
            {
                float total = weightOfFrame[f];
                foreach (ref var x in sum.AsSpan((c * frames + f) * plane, plane))
                {
                    x /= total;
                }
            }
        }
        return (sum, nonFinite);
    }
}
