using Wan.Runtime.Engine;
using Wan.Testing;

namespace Wan.Runtime.Tests.Engine;

/// <summary>On the CPU backend <see cref="ExpertResidency.Active"/> changes nothing in the result: every <c>pipeline</c> golden, bit for bit.</summary>
[Category("Golden")]
public sealed class ExpertResidencyCpuTests
{
    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.CasesOfKind), new object[] { new[] { "pipeline" } })]
    public void ActiveExpertOnTheCpuMatchesBoth(FixtureCase? fixtureCase)
    {
        var c = Fixtures.Require(fixtureCase);
        using var golden = c.OpenGolden();
        double tol = c.Tolerance("fp32");
        using var both = new ExpertResidencyRun(c.Set.Diffusers, new EngineOptions { Device = EngineDevice.Cpu });
        var reference = both.Generate(c, golden, tol);
        using var active = new ExpertResidencyRun(c.Set.Diffusers, new EngineOptions { Device = EngineDevice.Cpu, ExpertResidency = ExpertResidency.Active });
        var run = active.Generate(c, golden, tol);
        Assert.Multiple(() =>
        {
            Assert.That(run.X0, Is.EqualTo(reference.X0), "x0 bit for bit");
            Assert.That(run.Video, Is.EqualTo(reference.Video), "video_raw bit for bit");
            Assert.That(active.Engine.Pipeline.HighNoise.WeightsResident, Is.EqualTo(active.Engine.Pipeline.LowNoise is null), "the high-noise expert left at the switch");
        });
    }
}
