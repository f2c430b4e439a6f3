using Wan.Errors;
using Wan.Runtime.Planning;
using Wan.Testing;

namespace Wan.Runtime.Tests.Planning;

/// <summary>
/// The decode stage of <c>wan plan</c>: whole frames when they fit beside the resident weights; tiled (recorded on the dry-run
/// device with the tiling <c>VaeDecodeMemory</c> picks) when they do not, turning a plan that does not fit into one that does;
/// with a VAE budget always that budget's tiling, whose recorded peak stays within the budget plus the VAE weights and latent.
/// </summary>
public sealed class DecodePlanTests
{
    [Category("Golden")]
    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void ADecodeThatDoesNotFitBesideTheWeightsIsTiled(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        PlanRequest Request(double gb) => new() { ModelDirectory = set.Diffusers, Height = 720, Width = 1280, Frames = 17, Steps = 4, GpuMemoryGB = gb };
        var roomy = DeploymentPlanner.Plan(Request(80));
        var wholeDecode = roomy.Stages[^1];
        // A budget 0.2 GB under what the whole-frame plan needs: its decode (the largest stage on the fixture) must shrink to fit.
        double tightGB = (roomy.PeakBytes - 200_000_000) / 1e9;
        var tight = DeploymentPlanner.Plan(Request(tightGB));
        var tiledDecode = tight.Stages[^1];
        TestContext.Out.WriteLine($"{set} 720p × 17: whole frames {wholeDecode.PeakBytes / 1e9:F3} GB, plan {roomy.PeakBytes / 1e9:F2} GB; " +
            $"at {tightGB:F2} GB: {tiledDecode.Stage} {tiledDecode.PeakBytes / 1e9:F3} GB, plan {tight.PeakBytes / 1e9:F2} GB, {tight.Verdict}");
        Assert.Multiple(() =>
        {
            Assert.That(wholeDecode.Stage, Is.EqualTo("decode"));
            Assert.That(roomy.Stages.Max(s => s.PeakBytes), Is.EqualTo(wholeDecode.PeakBytes), "the fixture's decode is its largest stage");
            Assert.That(tiledDecode.Stage, Does.Match(@"^decode, tiles of \d+$"));
            Assert.That(tiledDecode.Source, Is.EqualTo("recorded"));
            Assert.That(tiledDecode.PeakBytes, Is.LessThan(wholeDecode.PeakBytes));
            Assert.That(tight.Fits, Is.True, "tiling the decode makes the plan fit");
        });
    }

    [Test]
    public void AVaeBudgetTilesThePresetDecodeWithinIt()
    {
        const double vaeGB = 2;
        var whole = DeploymentPlanner.Plan(new PlanRequest { Height = 720, Width = 1280, Frames = 17, Steps = 2, GpuMemoryGB = 80 });
        var tiled = DeploymentPlanner.Plan(new PlanRequest { Height = 720, Width = 1280, Frames = 17, Steps = 2, GpuMemoryGB = 80, VaeMemoryGB = vaeGB });
        long experts = whole.ExpertBytes.Sum();
        long wholeDecode = whole.Stages[^1].PeakBytes - experts, tiledDecode = tiled.Stages[^1].PeakBytes - experts;
        // Beside the budget the recorded stage holds the VAE weights (~0.25 GB) and the latent it is given (9.7 MB).
        const long vaeWeightsAndLatent = 300_000_000;
        TestContext.Out.WriteLine($"A14B 720p × 17 decode beside both experts: whole frames {wholeDecode / 1e9:F2} GB; --vae-memory {vaeGB}: {tiled.Stages[^1].Stage} {tiledDecode / 1e9:F2} GB (recorded, weights included)");
        Assert.Multiple(() =>
        {
            Assert.That(whole.Stages[^1].Stage, Is.EqualTo("decode"));
            Assert.That(tiled.Stages[^1].Stage, Does.StartWith("decode, tiles of "));
            Assert.That(tiledDecode, Is.LessThanOrEqualTo((long)(vaeGB * 1e9) + vaeWeightsAndLatent));
            Assert.That(wholeDecode, Is.GreaterThan((long)(vaeGB * 1e9) + vaeWeightsAndLatent), "the budget is a real constraint");
            Assert.That(() => DeploymentPlanner.Plan(new PlanRequest { Height = 720, Width = 1280, Frames = 17, Steps = 2, VaeMemoryGB = 0.1 }),
                Throws.TypeOf<RequestException>().With.Message.Contains("least any tiling needs"));
        });
    }
}
