using Wan.Runtime.Pipeline.Solvers;
using Wan.Testing;

namespace Wan.Runtime.Tests.Solvers;

/// <summary>Schedules and every step of the official flow-matching schedulers, against the `solver` goldens.</summary>
public class SolverGoldenTests
{
    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.CasesOfKind), new object[] { new[] { "solver" } })]
    [Category("Golden")]
    public void ScheduleAndEveryStepMatchTheOfficialScheduler(FixtureCase? fixtureCase)
    {
        var c = Fixtures.Require(fixtureCase);
        var p = c.Params;
        var solver = FlowSolvers.Create(
            SolverName(p.GetProperty("solver").GetString()!),
            p.GetProperty("steps").GetInt32(),
            p.GetProperty("shift").GetDouble(),
            p.GetProperty("num_train_timesteps").GetInt32(),
            ScheduleKind(p.GetProperty("api").GetString()!));

        using var golden = c.OpenGolden();
        var timesteps = golden.Get("timesteps").ToInt64Array();
        var sigmas = golden.Get("sigmas").ToFloatArray();
        Assert.That(solver.Timesteps, Is.EqualTo(timesteps), "timesteps (exact)");
        Assert.That(solver.Sigmas, Is.EqualTo(sigmas), "sigmas (exact float32)");

        var modelOutputs = golden.Get("model_outputs");
        var expected = golden.Get("samples");
        var steps = timesteps.Length;
        Assert.That(modelOutputs.Shape[0], Is.EqualTo(steps), "model_outputs steps");
        Assert.That(expected.Shape[0], Is.EqualTo(steps), "samples steps");
        var sample = golden.Get("sample0").ToFloatArray();
        var modelOutput = new float[sample.Length];
        var reference = new float[sample.Length];
        var tolerance = c.Tolerance("fp32");
        double worst = 0;
        for (int i = 0; i < steps; i++)
        {
            modelOutputs.ReadFloats((long)i * sample.Length, modelOutput);
            expected.ReadFloats((long)i * sample.Length, reference);
            solver.Step(modelOutput, i, sample);
            worst = Math.Max(worst, Metrics.AssertClose(sample, reference, tolerance, $"{c.Name} step {i}"));
        }
        TestContext.Out.WriteLine($"{c.Name}: worst rel L2 over {steps} steps {worst:E3} (tolerance {tolerance:E1})");
    }

    private static string SolverName(string official) => official switch
    {
        "FlowUniPCMultistepScheduler" => "unipc",
        "FlowDPMSolverMultistepScheduler" => "dpm++",
        _ => throw new AssertionException($"fixture names an unknown solver '{official}'"),
    };

    private static FlowScheduleKind ScheduleKind(string api) =>
        api.Contains("get_sampling_sigmas", StringComparison.Ordinal) ? FlowScheduleKind.SamplingSigmas
        : api.StartsWith("set_timesteps(steps, shift=shift)", StringComparison.Ordinal) ? FlowScheduleKind.TrainingGrid
        : throw new AssertionException($"fixture names an unknown scheduler API '{api}'");
}
