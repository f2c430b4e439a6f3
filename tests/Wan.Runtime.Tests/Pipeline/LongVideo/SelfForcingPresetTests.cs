using Wan.Runtime.Pipeline;
using Wan.Runtime.Pipeline.Solvers;

namespace Wan.Runtime.Tests.Pipeline.LongVideo;

/// <summary>
/// The self-forcing preset follows Self-Forcing's public inference settings: its warped step list (pipeline/causal_inference.py:
/// <c>timesteps[1000 − [1000, 750, 500, 250]]</c> of a FlowMatchScheduler with shift 5 over <c>linspace(1, 0, 1001)[:-1]</c>),
/// no CFG, chunks of 3 latent frames; between steps x̂₀ is re-noised with fresh noise, <c>add_noise(x̂₀, randn, t_next)</c> =
/// (1 − σ_next)·x̂₀ + σ_next·ε.
/// </summary>
public class SelfForcingPresetTests
{
    [Test]
    public void ThePresetRunsSelfForcingsWarpedStepsInChunksOfThree()
    {
        var preset = SamplingPreset.Named("self-forcing");
        Assert.That((preset.ChunkFrames, preset.GuidanceLow, preset.GuidanceHigh), Is.EqualTo(((int?)3, 1.0, 1.0)));
        var solver = FlowSolvers.Create(preset.Solver, preset.Steps, preset.Shift);
        // Self-Forcing's warp, written out: sigma = s·u / (1 + (s − 1)·u) at u = step / 1000, timestep = 1000·sigma.
        double[] warped = [.. new[] { 1000, 750, 500, 250 }.Select(step => step / 1000.0).Select(u => 1000 * 5 * u / (1 + 4 * u))];
        Assert.That(solver.ModelTimesteps, Is.EqualTo(warped).Within(1e-3));
        Assert.That(warped[1], Is.EqualTo(937.5), "the check is not vacuous: 750 warps to 937.5");
    }

    [Test]
    public void EveryStepButTheLastReNoisesThePredictedCleanLatentWithFreshNoise()
    {
        const int n = 37;
        const long seed = 99;
        var x = NoiseGenerator.StandardNormal(1, n);
        var v = NoiseGenerator.StandardNormal(2, n);
        var solver = FlowSolvers.Create(FlowSolvers.Renoising, 4, 5.0, noiseSeed: seed);
        var epsilon = NoiseGenerator.StandardNormal(seed, 3 * n);
        var sample = (float[])x.Clone();
        for (int i = 0; i < 4; i++)
        {
            var before = (float[])sample.Clone();
            solver.Step(v, i, sample);
            float sigma = solver.Sigmas[i], next = solver.Sigmas[i + 1];
            var expected = before.Select((xi, j) => i == 3 ? xi - sigma * v[j] : (1 - next) * (xi - sigma * v[j]) + next * epsilon[i * n + j]).ToArray();
            Assert.That(sample, Is.EqualTo(expected).Within(1e-6), $"step {i}");
        }
        var otherSeed = (float[])x.Clone();
        var other = FlowSolvers.Create(FlowSolvers.Renoising, 4, 5.0, noiseSeed: seed + 1);
        other.Step(v, 0, otherSeed);
        Assert.That(otherSeed, Is.Not.EqualTo(FlowSolversStep0(x, v, seed)), "the noise depends on the seed");
        Assert.That(new[] { FlowRenoisingSolver.SeedFor(seed, 0), FlowRenoisingSolver.SeedFor(seed, 1), seed }, Is.Unique, "every chunk has its own stream");
    }

    private static float[] FlowSolversStep0(float[] x, float[] v, long seed)
    {
        var sample = (float[])x.Clone();
        FlowSolvers.Create(FlowSolvers.Renoising, 4, 5.0, noiseSeed: seed).Step(v, 0, sample);
        return sample;
    }
}
