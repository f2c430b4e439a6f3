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
        TestContext.Progress.WriteLine($"{width}x{height}: dry run {plan.DryRunSeconds:F1} s; step {steps[0].ComputeSeconds / steps[0].Steps:F3} s vs roofline {rooflineStep:F3} s");
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
