using Wan.Runtime.Pipeline.Solvers;

namespace Wan.Runtime.Tests.Solvers;

public class StepDistillSolverTests
{
    [Test]
    public void TorchLinspaceCountsTheSecondHalfFromTheEnd()
    {
        // float32 torch.linspace(1, 0, 1001): index 999 is 0 - (-0.001f * 1) = 0.001f, not 1 + 999 * -0.001f.
        Assert.That(FlowStepDistillSolver.TorchLinspace(1f, 0f, 1001, 999), Is.EqualTo(0.001f));
        Assert.That(FlowStepDistillSolver.TorchLinspace(1f, 0f, 1001, 999), Is.Not.EqualTo(1f + (-0.001f * 999)));
        Assert.That(FlowStepDistillSolver.TorchLinspace(1f, 0f, 1001, 0), Is.EqualTo(1f));
        Assert.That(FlowStepDistillSolver.TorchLinspace(1f, 0f, 1001, 500), Is.EqualTo(0.5f));
    }

    [Test]
    public void PublishedScheduleHasFractionalTimestepsAndSwitchesExpertAtStepTwo()
    {
        var solver = FlowSolvers.Create(FlowSolvers.StepDistill, 4, FlowStepDistillSolver.Wan22Shift);
        Assert.That(solver.ModelTimesteps, Is.EqualTo(new[] { 1000.0, 937.5, (double)(0.8333333f * 1000f), 625.0 }));
        Assert.That(solver.Timesteps, Is.EqualTo(new long[] { 1000, 937, 833, 625 }), "integer view (display) is the truncation");
        Assert.That(solver.Sigmas, Is.EqualTo(new[] { 1f, 0.9375f, 0.8333333f, 0.625f, 0f }));
        Assert.That(solver.ExpertBoundaryStep, Is.EqualTo(2));
    }

    [Test]
    public void LastStepReturnsTheDataPredictionAndEarlierStepsRenoiseWithTheSamePrediction()
    {
        var solver = new FlowStepDistillSolver([1000, 500]);
        float sigma1 = solver.Sigmas[1];
        float[] sample = [1f, -2f, 0.25f];
        float[] v = [0.5f, 3f, -1f];
        solver.Step(v, 0, sample);
        // x0 = x - 1 * v, then x0 + sigma1 * v
        Assert.That(sample, Is.EqualTo(new[] { 0.5f + sigma1 * 0.5f, -5f + sigma1 * 3f, 1.25f + sigma1 * -1f }));
        var before = (float[])sample.Clone();
        solver.Step(v, 1, sample);
        Assert.That(sample, Is.EqualTo(before.Select((x, j) => x - sigma1 * v[j])), "last step: x0 = x - sigma * v, no renoising");
    }

    [TestCase(new[] { 1000, 1000 })]
    [TestCase(new[] { 250, 750 })]
    [TestCase(new[] { 1001 })]
    [TestCase(new[] { 0 })]
    [TestCase(new int[0])]
    public void BadStepListsAreRefusedNamingTheList(int[] list)
    {
        var e = Assert.Catch<ArgumentException>(() => _ = new FlowStepDistillSolver(list));
        Assert.That(e!.Message, Does.Contain("step list"));
    }

    [Test]
    public void CreateRefusesAnotherStepCountAndBadBoundaries()
    {
        var e = Assert.Throws<ArgumentException>(() => FlowSolvers.Create(FlowSolvers.StepDistill, 8));
        Assert.That(e!.Message, Does.Contain("step-distill").And.Contain("8 steps"));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new FlowStepDistillSolver([1000, 500], boundaryStep: 3));
        Assert.That(new FlowStepDistillSolver([1000, 500], boundaryStep: null).ExpertBoundaryStep, Is.Null);
    }

    [Test]
    public void LightningPresetIsTheDistillSamplerWithoutGuidance()
    {
        var preset = SamplingPreset.Named("lightning");
        Assert.That((preset.Solver, preset.Steps, preset.Shift, preset.GuidanceLow, preset.GuidanceHigh),
            Is.EqualTo((FlowSolvers.StepDistill, 4, 5.0, 1.0, 1.0)));
        Assert.Throws<ArgumentException>(() => SamplingPreset.Named("turbo"));
    }
}
