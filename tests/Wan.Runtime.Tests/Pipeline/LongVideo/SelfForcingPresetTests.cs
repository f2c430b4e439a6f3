using Wan.Runtime.Pipeline.Solvers;

namespace Wan.Runtime.Tests.Pipeline.LongVideo;

/// <summary>
/// The self-forcing preset follows Self-Forcing's public inference settings: its warped step list (pipeline/causal_inference.py:
/// <c>timesteps[1000 − [1000, 750, 500, 250]]</c> of a FlowMatchScheduler with shift 5 over <c>linspace(1, 0, 1001)[:-1]</c>),
/// no CFG, chunks of 3 latent frames.
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
}
