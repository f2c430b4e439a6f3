using Wan.Runtime.Backends.Cpu;
using Wan.Runtime.Pipeline.Caching;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Tests.Caching;

/// <summary>The TeaCache decision rule and residual reuse on hand-made embeddings with known distances.</summary>
public class TeaCacheRuleTests
{
    [Test]
    public void SkipsWhileTheAccumulatedDistanceStaysBelowTheThresholdAndAddsTheStoredResidual()
    {
        using var backend = new CpuBackend();
        var cache = new TeaCache(0.25, TeaCacheCoefficients.RawDistance);
        using var branch = cache.NewBranch();
        var shape = new Shape(2, 3);
        using var projection = backend.FromHost(new float[6 * 4], new Shape(6, 4));
        var decisions = new List<bool>();
        var steps = 6;
        // e grows by 10% of the first value per step: relative L1 ≈ 0.1, 0.091, 0.083, ... against the previous one.
        for (int step = 0; step < steps; step++)
        {
            cache.BeginStep(step, steps);
            using var e = backend.FromHost(Enumerable.Repeat(1f + 0.1f * step, 4).ToArray(), new Shape(1, 4));
            float[] input = [step, 1, 2, 3, 4, 5];
            using var x = backend.FromHost(input, shape);
            bool skipped = branch.TryReuse(backend, x, e, projection);
            decisions.Add(skipped);
            if (skipped)
            {
                // The residual stored by the last computed step (output = input * 2 + 1 → residual = input + 1 of that step).
                var lastComputed = decisions.FindLastIndex(d => !d);
                float[] expected = [.. input.Select((v, j) => v + ((j == 0 ? lastComputed : j) + 1f))];
                Assert.That(backend.ToHost(x), Is.EqualTo(expected), $"step {step}: input + cached residual");
            }
            else
            {
                using var output = backend.FromHost([.. input.Select(v => v * 2 + 1)], shape);
                branch.Store(backend, output);
            }
        }
        // d: -, 0.1 (acc 0.1 skip), 0.0909 (0.19 skip), 0.0833 (0.27 compute), 0.0769 (skip), last step computes.
        Assert.That(decisions, Is.EqualTo(new[] { false, true, true, false, true, false }));
        Assert.That((cache.Computed, cache.Skipped), Is.EqualTo((3, 3)));
        Assert.That(cache.Statistics.ToString(), Does.Contain("3 of 6 DiT forwards skipped"));
    }

    [Test]
    public void PublishedPolynomialsAreEvaluatedHighestPowerFirst()
    {
        // np.poly1d([-5784.54975374, 5449.50911966, -1811.16591783, 256.27178429, -13.02252404])(0.2)
        var x = 0.2;
        var expected = -5784.54975374 * Math.Pow(x, 4) + 5449.50911966 * Math.Pow(x, 3) - 1811.16591783 * x * x + 256.27178429 * x - 13.02252404;
        Assert.That(TeaCacheCoefficients.Wan21T2V14B.Rescale(x), Is.EqualTo(expected).Within(1e-9));
        Assert.That(TeaCacheCoefficients.RawDistance.Rescale(0.37), Is.EqualTo(0.37));
        Assert.That(TeaCacheCoefficients.ForDim(5120), Is.SameAs(TeaCacheCoefficients.Wan21T2V14B));
        Assert.That(TeaCacheCoefficients.ForDim(1536), Is.SameAs(TeaCacheCoefficients.Wan21T2V1_3B));
        Assert.That(TeaCacheCoefficients.ForDim(96), Is.SameAs(TeaCacheCoefficients.RawDistance));
    }

    [TestCase(-0.1)]
    [TestCase(double.NaN)]
    [TestCase(double.PositiveInfinity)]
    public void BadThresholdsAreRefused(double threshold)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => _ = new TeaCache(threshold, TeaCacheCoefficients.RawDistance));
        Assert.That(e!.Message, Does.Contain("threshold"));
    }
}
