using Wan.Kernels.Roofline;
using Wan.Runtime.Planning;

namespace Wan.Runtime.Tests.Planning;

/// <summary>
/// The A14B preset planned at full size on the dry-run device: every step replays exactly the GEMMs of two
/// forwards (8·layers + 5 each) plus the text K/V of both prompts once per expert; the modelled step time
/// agrees with the independent analytic roofline of <see cref="RooflineTable"/>; the residency follows the budget.
/// </summary>
public sealed class DeploymentPlannerTests
{
    [TestCase(480, 832)]
    [TestCase(720, 1280)]
    public void A14BRecordsEveryGemmOfEveryStepAndMatchesTheRoofline(int height, int width)
    {
        var plan = DeploymentPlanner.Plan(new PlanRequest { Height = height, Width = width, Frames = 81, Gpu = GpuSpec.H100 });
        int layers = DeploymentPlanner.A14BExpert.Layers;
        long tokens = DitShape.Tokens(81, height, width);
        double rooflineStep = 2 * RooflineTable.PerForward(DitShape.Wan22T2VA14B, tokens).Sum(r => Accelerator.H100.FloorSeconds(r.Flops, r.Bytes));
        var steps = plan.Stages.Where(s => s.Steps > 0).ToList();
        TestContext.Progress.WriteLine($"{width}x{height}: dry run {plan.DryRunSeconds:F1} s; step {steps[0].ComputeSeconds / steps[0].Steps:F3} s vs roofline {rooflineStep:F3} s; " +
            $"decode peak {plan.Stages[^1].PeakBytes / 1e9:F2} GB, {plan.Stages[^1].Flops / 1e12:F1} TFLOP");
        Assert.Multiple(() =>
        {
            Assert.That(plan.Tokens, Is.EqualTo(tokens));
            Assert.That(steps.Select(s => s.Stage), Is.EqualTo(new[] { "high-noise steps", "low-noise steps" }));
            Assert.That(steps.Sum(s => s.Steps), Is.EqualTo(40));
            foreach (var s in steps)
            {
                Assert.That(s.Gemms, Is.EqualTo(s.Steps * 2L * (8 * layers + 5) + 2L * (2 + 2 * layers)), $"{s.Stage}: GEMMs of the replays and of the text K/V");
                Assert.That(s.ComputeSeconds / s.Steps, Is.EqualTo(rooflineStep).Within(1).Percent, $"{s.Stage}: recorded GEMMs + kernel model = analytic roofline");
            }
            Assert.That(plan.DryRunSeconds, Is.LessThan(120), "a full-size dry run takes seconds");
            Assert.That(plan.Stages.Select(s => (s.Stage, s.Source)), Is.EqualTo(new[] { ("text encode", "recorded"), ("high-noise steps", "recorded"),
                ("low-noise steps", "recorded"), ("decode", "recorded") }), "shape-only umT5 and VAE weights: every stage recorded");
            var decode = plan.Stages[^1];
            long vaeWeights = new ShapeOnlyVaeWeights(ShapeOnlyVaeWeights.Wan21, "VAE").Bytes;
            long convOutInput = 96L * 4 * height * width * 2;
            Assert.That(decode.PeakBytes - plan.ExpertBytes.Sum(), Is.GreaterThan(vaeWeights + convOutInput),
                "the decode peak: both experts resident, the VAE and at least conv_out's input (96 channels × 4 frames at full size, BF16)");
            Assert.That(decode.Flops, Is.EqualTo(5.14e12 * (81.0 * height * width) / (9 * 256 * 256)).Within(10).Percent,
                "the CPU profiler's count (docs/performance.md) scaled by output values, which the recording replaced");
        });
    }

    [Test]
    public void TheStreamedStagesAreRecordedFromTheStreamedDit()
    {
        const int steps = 4;
        var plan = DeploymentPlanner.Plan(new PlanRequest { Height = 480, Width = 832, Frames = 81, Steps = steps, GpuMemoryGB = 20 });
        int layers = DeploymentPlanner.A14BExpert.Layers;
        using var weights = new ShapeOnlyDitWeights(DeploymentPlanner.A14BExpert, "test");
        long block = weights.Names.Where(n => n.StartsWith("blocks.0.", StringComparison.Ordinal)).Sum(n => weights.Get(n).ByteLength);
        long expert = weights.Bytes;
        var stages = plan.Stages.Where(s => s.Steps > 0).ToList();
        double Uploaded(StagePlan s) => s.PcieSeconds * plan.Request.Gpu.PcieGBps * 1e9;
        TestContext.Out.WriteLine($"streamed peak {plan.PeakByResidency[WeightResidency.StreamedBlocks] / 1e9:F2} GB (both {plan.PeakByResidency[WeightResidency.BothExperts] / 1e9:F2} GB); " +
                                  string.Join("; ", stages.Select(s => $"{s.Stage}: {s.Steps} steps, {Uploaded(s) / 1e9:F1} GB uploaded, PCIe {s.PcieSeconds:F2} s ({s.ExposedPcieSeconds:F2} s exposed)")));
        Assert.Multiple(() =>
        {
            Assert.That(plan.Residency, Is.EqualTo(WeightResidency.StreamedBlocks));
            Assert.That(stages.Select(s => s.Source), Has.All.EqualTo("recorded streamed, PCIe modelled"));
            // Per expert: two text preparations and one batched CFG forward per step, each pass streaming every block once
            // (its block 0 prefetched by the pass before); the very first pass also uploads its own block 0.
            Assert.That(Uploaded(stages[0]), Is.EqualTo((double)((2 + stages[0].Steps) * layers + 1) * block).Within(0.1).Percent, "high-noise uploads");
            Assert.That(Uploaded(stages[1]), Is.EqualTo((double)(2 + stages[1].Steps) * layers * block).Within(0.1).Percent, "low-noise uploads");
            Assert.That(stages.Select(s => s.PeakBytes), Has.All.LessThan(plan.PeakByResidency[WeightResidency.BothExperts] - 2 * expert + 2 * (expert - layers * block) + 3 * block),
                "the streamed peak holds both experts' non-block weights and two block slots, not the experts");
        });
    }

    [TestCase(141, WeightResidency.BothExperts)]
    [TestCase(45, WeightResidency.ActiveExpert)]
    [TestCase(20, WeightResidency.StreamedBlocks)]
    public void TheResidencyIsTheFirstThatFits(double budgetGB, WeightResidency expected)
    {
        var plan = DeploymentPlanner.Plan(new PlanRequest { Height = 480, Width = 832, Frames = 81, Steps = 4, GpuMemoryGB = budgetGB });
        var order = Enum.GetValues<WeightResidency>();
        Assert.Multiple(() =>
        {
            Assert.That(plan.Residency, Is.EqualTo(expected));
            Assert.That(plan.Fits);
            Assert.That(order.TakeWhile(r => r != expected).Select(r => plan.PeakByResidency[r] + plan.ReserveBytes), Has.All.GreaterThan(plan.Request.BudgetBytes),
                "every residency that keeps more weights resident is over the budget");
            Assert.That(plan.PeakByResidency.Values, Is.Ordered.Descending, "each residency keeps less on the device");
        });
    }
}
