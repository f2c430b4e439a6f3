namespace Wan.Runtime.Pipeline.LongVideo;

/// <summary>
/// One temporal window of the latent: latent frames [<see cref="Start"/>, <see cref="Start"/> + <see cref="Length"/>),
/// with the blending weight of each of its frames ([Length], in (0, 1]).
/// </summary>
/// <param name="Start">first latent frame.</param>
/// <param name="Length">latent frames in the window.</param>
/// <param name="Weights">blending weight of each frame of the window, [Length].</param>
public sealed record ContextWindow(int Start, int Length, float[] Weights)
{
    /// <summary>One past the last latent frame.</summary>
    public int End => Start + Length;
}
