using Wan.Runtime.Pipeline;
using Wan.Runtime.Pipeline.Caching;
using Wan.Runtime.Pipeline.Solvers;
using Wan.Testing;

namespace Wan.Runtime.Tests.Caching;

/// <summary>
/// TeaCache on the fixture pipeline (the pipeline golden's contexts and noise, CFG, both experts): threshold 0
/// reproduces the uncached latents bit for bit with the cache hook active, and larger thresholds skip more
/// forwards at a growing (printed) relative L2 of the final latent against no caching.
/// </summary>
[Category("Golden")]
public class TeaCachePipelineTests
{
    /// <summary>Thresholds of the docs table (raw relative L1 of e: the fixture model has no published fit).</summary>
    internal static readonly double[] Thresholds = [0.8, 1.6, 3.2];

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.CasesOfKind), new object[] { new[] { "pipeline" } })]
    public void ThresholdZeroRunsTheCacheButReproducesTheUncachedLatentsBitForBit(FixtureCase? fixtureCase)
    {
        using var run = FixturePipelineRun.Open(Fixtures.Require(fixtureCase));
        var (plain, plainSteps) = run.Denoise(run.GoldenSolver(), cache: null);
        var cache = new TeaCache(0, TeaCacheCoefficients.RawDistance);
        var (cached, cachedSteps) = run.Denoise(run.GoldenSolver(), cache);
        Assert.That(cache.Statistics.Forwards, Is.EqualTo(2 * run.Steps), "the hook saw every cond and uncond forward");
        Assert.That(cache.Skipped, Is.Zero);
        Assert.That(cachedSteps, Is.EqualTo(plainSteps), "latent after every step, bit for bit");
        Assert.That(cached, Is.EqualTo(plain), "final latent, bit for bit");
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.CasesOfKind), new object[] { new[] { "pipeline" } })]
    public void LargerThresholdsSkipMoreForwardsAndTheErrorIsMeasured(FixtureCase? fixtureCase)
    {
        using var run = FixturePipelineRun.Open(Fixtures.Require(fixtureCase));
        foreach (var steps in new[] { run.Steps, 20 })
        {
            var (reference, _) = run.Denoise(run.Solver(steps), cache: null);
            TestContext.Out.WriteLine($"{run.Case} UniPC {steps} steps, CFG, both experts ({2 * steps} DiT forwards):");
            TestContext.Out.WriteLine("| threshold | forwards skipped | rel. L2 of final latent vs no caching |");
            int previousSkipped = -1;
            foreach (var threshold in Thresholds)
            {
                var cache = new TeaCache(threshold, TeaCacheCoefficients.RawDistance);
                var (latent, _) = run.Denoise(run.Solver(steps), cache);
                var error = Metrics.RelativeL2(latent, reference);
                TestContext.Out.WriteLine($"| {threshold} | {cache.Skipped} / {cache.Statistics.Forwards} | {error:E2} |");
                Assert.That(cache.Statistics.Forwards, Is.EqualTo(2 * steps));
                Assert.That(cache.Skipped, Is.GreaterThanOrEqualTo(previousSkipped), "a larger threshold never skips fewer forwards");
                Assert.That(latent.All(float.IsFinite), Is.True);
                Assert.That(error > 0, Is.EqualTo(cache.Skipped > 0), "skipping changes the result; computing everything does not");
                previousSkipped = cache.Skipped;
            }
            Assert.That(previousSkipped, Is.GreaterThan(0), $"threshold {Thresholds[^1]} skips forwards at {steps} steps");
            Assert.That(previousSkipped, Is.LessThanOrEqualTo(2 * (steps - 3)),
                "the first forward of each expert and branch and the last step always run");
        }
    }
}
