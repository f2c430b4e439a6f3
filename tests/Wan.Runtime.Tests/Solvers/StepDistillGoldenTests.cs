using Wan.Runtime.Pipeline.Solvers;
using Wan.Testing;

namespace Wan.Runtime.Tests.Solvers;

/// <summary>
/// LightX2V's Wan22StepDistillScheduler against every <c>distill_solver</c> golden of every set's lora.json:
/// schedule exact (float32 sigmas and fractional timesteps), expert per step exact, every step within the fp32
/// tolerance (the reference is exact float32 arithmetic, so the error reached is printed too).
/// </summary>
public class StepDistillGoldenTests
{
    [TestCaseSource(typeof(LoraIndexCases), nameof(LoraIndexCases.OfKind), new object[] { new[] { "distill_solver" } })]
    [Category("Golden")]
    public void ScheduleExpertsAndEveryStepMatchLightX2V(LoraIndexCase? fixtureCase)
    {
        var c = Fixtures.Require(fixtureCase);
        var p = c.Params;
        Assert.That(p.GetProperty("cfg").GetString(), Is.EqualTo("none"), "the distill golden runs without CFG");
        int[] stepList = [.. p.GetProperty("denoising_step_list").EnumerateArray().Select(e => e.GetInt32())];
        var solver = new FlowStepDistillSolver(stepList, p.GetProperty("sample_shift").GetDouble(),
            p.GetProperty("boundary_step_index").GetInt32(), p.GetProperty("num_train_timesteps").GetInt32());

        using var golden = c.OpenGolden();
        var timesteps = golden.Get("timesteps").ToFloatArray();
        var sigmas = golden.Get("sigmas").ToFloatArray();
        Assert.That(solver.StepCount, Is.EqualTo(stepList.Length));
        Assert.That(solver.ModelTimesteps, Is.EqualTo(timesteps.Select(t => (double)t)), "fractional timesteps to the DiT (exact)");
        Assert.That(solver.Sigmas.Take(stepList.Length), Is.EqualTo(sigmas), "sigmas (exact float32)");
        Assert.That(solver.Sigmas[^1], Is.Zero, "final sigma");
        var boundary = solver.ExpertBoundaryStep ?? throw new AssertionException("the distill solver fixes the expert switch");
        Assert.That(Enumerable.Range(0, solver.StepCount).Select(i => i < boundary ? 1L : 0L),
            Is.EqualTo(golden.Get("is_high_noise_expert").ToInt64Array()), "expert per step");

        var modelOutputs = golden.Get("model_outputs");
        var expected = golden.Get("samples");
        var sample = golden.Get("sample0").ToFloatArray();
        var modelOutput = new float[sample.Length];
        var reference = new float[sample.Length];
        var tolerance = c.Tolerance("fp32");
        double worst = 0;
        for (int i = 0; i < solver.StepCount; i++)
        {
            modelOutputs.ReadFloats((long)i * sample.Length, modelOutput);
            expected.ReadFloats((long)i * sample.Length, reference);
            solver.Step(modelOutput, i, sample);
            worst = Math.Max(worst, Metrics.AssertClose(sample, reference, tolerance, $"{c.Name} step {i}"));
        }
        TestContext.Out.WriteLine($"{c}: worst rel L2 over {solver.StepCount} steps {worst:E3} (tolerance {tolerance:E1}); " +
                                  $"bit-exact steps: {(worst == 0 ? "all" : "not all")}");
    }
}
