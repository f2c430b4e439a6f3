using Wan.Runtime.Engine;
using Wan.Runtime.Pipeline;
using Wan.Runtime.Pipeline.Solvers;
using Wan.Testing;

namespace Wan.Runtime.Tests.Engine;

/// <summary>
/// The engine on the CPU over every fixture model: placement, the non-finite checks (a NaN weight in
/// either DiT expert or in the VAE stops the generation with one line naming where; without the
/// check the same model "succeeds"), and concurrent Generate calls.
/// </summary>
[Category("Golden")]
public sealed class WanEngineTests
{
    private static readonly EngineOptions Cpu = new() { Device = EngineDevice.Cpu };

    private static GenerationRequest Request => new()
    {
        Prompt = "a lighthouse at night",
        Frames = 5,
        Height = 32,
        Width = 32,
        Steps = 4,
        Seed = 5,
    };

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void EveryComponentRunsOnTheCpuWhenAskedFor(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var engine = WanEngine.Open(set.Diffusers, Cpu);
        Assert.That(engine.Placement.Select(p => (p.Component, p.Device, p.Backend, p.Reason)), Is.EqualTo(new (string, EngineDevice, string, string?)[]
        {
            ("text encoder", EngineDevice.Cpu, "cpu", null), ("DiT", EngineDevice.Cpu, "cpu", null), ("VAE", EngineDevice.Cpu, "cpu", null),
        }));
        Assert.That(engine.DescribePlacement(), Is.EqualTo("text encoder: cpu; DiT: cpu; VAE: cpu"));
        Assert.That(engine.DeviceNote, Is.Null, "nothing was auto-detected");
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void ANaNInTheHighNoiseExpertStopsTheFirstStep(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var model = AlteredModel.Of(set.Diffusers);
        model.Alter("transformer", "proj_out.bias", b => b[3] = float.NaN);
        var stages = new List<GenerationStage>();
        using var engine = WanEngine.Open(model.Path, Cpu);
        var error = Assert.Throws<NonFiniteLatentException>(() => engine.Generate(Request, p => stages.Add(p.Stage)))!;
        TestContext.Out.WriteLine(error.Message);
        Assert.Multiple(() =>
        {
            Assert.That((error.Stage, error.Step, error.Expert), Is.EqualTo((GenerationStage.Denoising, 1, "transformer (high noise)")));
            Assert.That(error.Message, Does.StartWith("denoising step 1/4 (transformer (high noise), t=").And.Contain("fp32").And.Contain("weights"));
            Assert.That(error.Message, Does.Not.Contain("\n"), "one line");
            Assert.That(error.Count, Is.GreaterThan(0));
            Assert.That(stages, Is.EqualTo(new[] { GenerationStage.EncodingText }), "no step is reported and nothing is decoded");
        });
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void ANaNInTheLowNoiseExpertStopsItsFirstStep(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var model = AlteredModel.Of(set.Diffusers);
        model.Alter("transformer_2", "proj_out.bias", b => b[0] = float.PositiveInfinity);
        using var engine = WanEngine.Open(model.Path, Cpu);
        Assume.That(engine.Pipeline.LowNoise, Is.Not.Null, "a two-expert fixture");
        var solver = FlowSolvers.Create(Request.Solver, Request.Steps, Request.Shift);
        var schedule = new ExpertSchedule(engine.Pipeline.Index.BoundaryRatio, FlowSolvers.WanTrainTimesteps, Request.GuidanceLow, Request.GuidanceHigh);
        int firstLow = Array.FindIndex(solver.Timesteps.ToArray(), t => !schedule.IsHighNoise(t)) + 1;
        Assume.That(firstLow, Is.GreaterThan(0), "the request reaches the low-noise expert");
        var error = Assert.Throws<NonFiniteLatentException>(() => engine.Generate(Request))!;
        TestContext.Out.WriteLine(error.Message);
        Assert.That((error.Step, error.Expert), Is.EqualTo((firstLow, "transformer_2 (low noise)")));
        Assert.That(error.Message, Does.StartWith($"denoising step {firstLow}/4 (transformer_2 (low noise), t={solver.Timesteps[firstLow - 1]})"));
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void WithoutTheCheckTheSameModelEndsInAVideoOfNaNs(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var model = AlteredModel.Of(set.Diffusers);
        model.Alter("transformer", "proj_out.bias", b => b[3] = float.NaN);
        using var engine = WanEngine.Open(model.Path, Cpu with { CheckNonFinite = false });
        var result = engine.Generate(Request);
        Assert.That(result.Latent.Count(v => !float.IsFinite(v)), Is.GreaterThan(0), "the failure the check exists for: a non-finite latent turned into a video");
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void ANaNInTheVaeStopsTheDecode(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var model = AlteredModel.Of(set.Diffusers);
        model.Alter("vae", "decoder.conv_out.bias", b => b[1] = float.NaN);
        using var engine = WanEngine.Open(model.Path, Cpu);
        var error = Assert.Throws<NonFiniteLatentException>(() => engine.Generate(Request))!;
        TestContext.Out.WriteLine(error.Message);
        Assert.That((error.Stage, error.Step, error.Expert), Is.EqualTo((GenerationStage.Decoding, 0, (string?)null)));
        Assert.That(error.Message, Does.StartWith("VAE decode: the video holds").And.Contain("although the latent was finite"));
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void ConcurrentGenerationsGiveTheSequentialResults(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var engine = WanEngine.Open(set.Diffusers, Cpu);
        var requests = new[] { Request, Request with { Seed = 6, Height = 48 }, Request with { Seed = 7, Width = 48 } };
        var sequential = requests.Select(r => engine.Generate(r).Latent).ToArray();
        var concurrent = requests.AsParallel().WithDegreeOfParallelism(requests.Length).Select(r => engine.Generate(r).Latent).ToArray();
        for (int i = 0; i < requests.Length; i++)
        {
            Assert.That(concurrent[i], Is.EqualTo(sequential[i]), $"request {i}");
        }
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void ACancelledCallDoesNotWaitForTheRunningGeneration(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var engine = WanEngine.Open(set.Diffusers, Cpu);
        using var started = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var running = Task.Run(() => engine.Generate(Request, p =>
        {
            if (p.Stage == GenerationStage.Denoising && p.Step == 1)
            {
                started.Set();
                release.Wait();
            }
        }));
        started.Wait();
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var steps = new List<int>();
        Assert.Throws<OperationCanceledException>(() => engine.Generate(Request, p => steps.Add(p.Step), cancelled.Token),
            "the waiting call gives up on its token while the other generation holds the engine");
        Assert.That(steps, Is.Empty);
        release.Set();
        Assert.That(running.Result.Video.Frames, Is.EqualTo(Request.Frames), "the running generation completes");
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void GenerateAfterDisposeIsRefused(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        var engine = WanEngine.Open(set.Diffusers, Cpu);
        engine.Dispose();
        Assert.Throws<ObjectDisposedException>(() => engine.Generate(Request));
        engine.Dispose();
    }
}
