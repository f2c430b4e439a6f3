namespace Wan.Runtime.Pipeline.Caching;

/// <summary>What step caching did in one generation: DiT forwards whose blocks ran and forwards served from the cache.</summary>
/// <param name="Threshold">The TeaCache threshold used (0: the cache runs but never skips).</param>
/// <param name="Computed">Forwards whose transformer blocks ran.</param>
/// <param name="Skipped">Forwards whose blocks were replaced by the cached residual.</param>
public sealed record StepCacheStatistics(double Threshold, int Computed, int Skipped)
{
    /// <summary>Every DiT forward of the generation (every expert, every guidance branch).</summary>
    public int Forwards => Computed + Skipped;

    /// <inheritdoc />
    public override string ToString() => $"step cache (TeaCache {Threshold}): {Skipped} of {Forwards} DiT forwards skipped";
}
