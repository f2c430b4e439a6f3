using Wan.Runtime.Engine;
using Wan.Runtime.Pipeline.Batching;
using Wan.Testing;

namespace Wan.Runtime.Tests.Pipeline.Batching;

/// <summary>
/// Batched denoising with expert routing on the CPU: requests admitted at different steps (one batch step
/// runs both experts) end with the latents each request reaches alone, bit for bit.
/// </summary>
[Category("Golden")]
public sealed class BatchDenoiserTests
{
    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void RequestsAtMixedStepsEqualEachRequestRunAloneBitForBit(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var engine = WanEngine.Open(set.Diffusers, new EngineOptions { Device = EngineDevice.Cpu });
        Assume.That(engine.Pipeline.LowNoise, Is.Not.Null, "a two-expert fixture");
        using var scenario = new BatchScenario(engine);
        var (batched, experts) = scenario.Batched();
        Assert.That(experts.Any(e => e.Count == 2), Is.True, "some batch step routed samples to both experts: " +
            string.Join(" | ", experts.Select(e => string.Join("+", e))));
        for (int i = 0; i < scenario.Count; i++)
        {
            var alone = scenario.Alone(i);
            Assert.That(batched[i], Is.EqualTo(alone), $"job {i}: batched latent differs from the request run alone");
            Assert.That(alone.Any(v => v != 0f) && alone.All(float.IsFinite), $"job {i}: a real latent");
        }
        Assert.That(batched[0], Is.Not.EqualTo(batched[1]), "different requests give different latents (the comparison can fail)");
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void ANaNInTheLowNoiseExpertStopsTheBatchNamingTheJobThatReachedIt(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var model = AlteredModel.Of(set.Diffusers);
        model.Alter("transformer_2", "proj_out.bias", b => b[0] = float.NaN);
        using var engine = WanEngine.Open(model.Path, new EngineOptions { Device = EngineDevice.Cpu });
        Assume.That(engine.Pipeline.LowNoise, Is.Not.Null, "a two-expert fixture");
        using var scenario = new BatchScenario(engine, count: 2);
        var error = Assert.Throws<Runtime.Pipeline.NonFiniteLatentException>(() => scenario.Batched())!;
        TestContext.Out.WriteLine(error.Message);
        Assert.That(error.Message, Does.StartWith("denoising step 5/6 (transformer_2 (low noise), t=").And.Contain("the DiT prediction of job job0"));
        Assert.That(error.Message, Does.Not.Contain("\n"));
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void AJobOfAnotherShapeIsRefusedAndACancelledJobLeavesTheBatch(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var engine = WanEngine.Open(set.Diffusers, new EngineOptions { Device = EngineDevice.Cpu });
        using var scenario = new BatchScenario(engine);
        using var batch = new BatchDenoiser(engine.Pipeline);
        using var a = scenario.Job(0);
        batch.Admit(a);
        using var cts = new CancellationTokenSource();
        var p = engine.Pipeline;
        using var ctx = p.EncodeText(p.Tokenize("x"));
        var solver = Runtime.Pipeline.Solvers.FlowSolvers.Create("unipc", 2, 12);
        var schedule = new Runtime.Pipeline.ExpertSchedule(p.Index.BoundaryRatio, 1000, 3, 4);
        int[] otherShape = [16, 1, 4, 4];
        using var other = new DenoiseJob("other", ctx, ctx, new float[16 * 16], otherShape, solver, schedule, cancellation: cts.Token);
        var error = Assert.Throws<ArgumentException>(() => batch.Admit(other))!;
        Assert.That(error.Message, Does.StartWith("job other: latent [16, 1, 4, 4] cannot join a batch of [16, 2, 4, 4] latents"));

        using var b = new DenoiseJob("b", ctx, ctx, new float[a.Latent.Length], [.. a.Shape.ToArray()], Runtime.Pipeline.Solvers.FlowSolvers.Create("unipc", 6, 12),
            schedule, cancellation: cts.Token);
        batch.Admit(b);
        batch.Step();
        cts.Cancel();
        var left = batch.Step();
        Assert.That(left, Is.EqualTo(new[] { b }), "the cancelled job leaves at the next step");
        Assert.That((a.StepsDone, b.StepsDone, batch.Active.Count), Is.EqualTo((2, 1, 1)));
    }
}
