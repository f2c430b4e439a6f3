namespace Wan.Runtime.Pipeline.Caching;

/// <summary>
/// TeaCache step caching for one generation (Liu et al., "Timestep Embedding Tells: It's Time to Cache for Video
/// Diffusion Model", 2024; rule as in TeaCache4Wan2.1/teacache_generate.py with <c>use_ret_steps = False</c>):
/// for each DiT forward, <c>d = mean|e − e_prev| / mean|e_prev|</c> of the time embedding e against the previous
/// forward of the same expert and guidance branch is rescaled by <see cref="TeaCacheCoefficients"/> and accumulated;
/// while the sum stays below <see cref="Threshold"/> the blocks are skipped and their last residual
/// (output − input) is added to the block input instead; otherwise they run and the sum restarts at 0.
/// The first forward of every (expert, branch) and every forward of the last step always run (the reference's
/// <c>ret_steps</c> = 1 and <c>cutoff_steps</c>). A threshold of 0 never skips (the result is bit-identical to no
/// caching). Residuals stay on the DiT's backend. Not thread-safe: one instance per generation.
/// </summary>
public sealed class TeaCache
{
    /// <param name="threshold">Accumulated rescaled distance below which a forward is skipped, ≥ 0 and finite (TeaCache's Wan2.1 T2V-14B examples: 0.14, 0.2).</param>
    /// <param name="coefficients">The rescaling polynomial (<see cref="TeaCacheCoefficients.ForDim"/> of the model).</param>
    /// <exception cref="ArgumentOutOfRangeException">The threshold is negative or not finite.</exception>
    public TeaCache(double threshold, TeaCacheCoefficients coefficients)
    {
        if (!double.IsFinite(threshold) || threshold < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "the step-cache threshold must be a finite number >= 0");
        }
        Threshold = threshold;
        Coefficients = coefficients ?? throw new ArgumentNullException(nameof(coefficients));
    }

    /// <summary>Skip while the accumulated rescaled distance stays below this.</summary>
    public double Threshold { get; }

    /// <summary>The rescaling polynomial.</summary>
    public TeaCacheCoefficients Coefficients { get; }

    /// <summary>Forwards whose blocks ran so far.</summary>
    public int Computed { get; private set; }

    /// <summary>Forwards served from the cache so far.</summary>
    public int Skipped { get; private set; }

    /// <summary>True during the last step of the schedule, whose forwards always run.</summary>
    internal bool FinalStep { get; private set; }

    /// <summary>Counts so far.</summary>
    public StepCacheStatistics Statistics => new(Threshold, Computed, Skipped);

    /// <summary>Called by the denoising loop before step <paramref name="step"/> of <paramref name="stepCount"/>.</summary>
    public void BeginStep(int step, int stepCount) => FinalStep = step == stepCount - 1;

    /// <summary>A fresh cache for one sequence of forwards (one expert, one guidance branch); the caller disposes it.</summary>
    internal TeaCacheBranch NewBranch() => new(this);

    internal void Count(bool skipped)
    {
        if (skipped)
        {
            Skipped++;
        }
        else
        {
            Computed++;
        }
    }
}
