using Wan.Runtime.Engine;
using Wan.Runtime.Pipeline;
using Wan.Runtime.Pipeline.Solvers;
using Wan.Testing;

namespace Wan.Runtime.Tests.Golden;

[Category("Golden")]
public class PipelineGoldenTests
{
    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.CasesOfKind), new object[] { new[] { "pipeline" } })]
    public void TextToVideoMatchesReferenceStepByStep(FixtureCase? fixtureCase)
    {
        var c = Fixtures.Require(fixtureCase);
        using var golden = c.OpenGolden();
        using var engine = WanEngine.Open(c.Set.Diffusers, new EngineOptions { Device = EngineDevice.Cpu });
        var pipeline = engine.Pipeline;
        var backend = pipeline.Backends.Text;
        double tol = c.Tolerance("fp32");
        var p = c.Params;

        int[] Ids(string name) => [.. golden.Get(name).ToInt64Array().Select(i => (int)i)];
        using var context = pipeline.EncodeText(Ids("prompt_ids"));
        using var negative = pipeline.EncodeText(Ids("neg_prompt_ids"));
        Metrics.AssertClose(backend.ToHost(context), golden.Get("context").ToFloatArray(), tol, $"{c} context");
        Metrics.AssertClose(backend.ToHost(negative), golden.Get("context_null").ToFloatArray(), tol, $"{c} context_null");

        int steps = p.GetProperty("steps").GetInt32();
        var solver = FlowSolvers.Create(p.GetProperty("solver").GetString()!, steps, p.GetProperty("shift").GetDouble());
        Assert.That(solver.Timesteps, Is.EqualTo(golden.Get("timesteps").ToInt64Array()), "timesteps");
        Assert.That(solver.Sigmas, Is.EqualTo(golden.Get("sigmas").ToFloatArray()), "sigmas");

        var guide = p.GetProperty("guide_scale_low_high");
        var experts = new ExpertSchedule(p.GetProperty("boundary").GetDouble(), FlowSolvers.WanTrainTimesteps,
            guide[0].GetDouble(), guide[1].GetDouble());
        Assert.That(solver.Timesteps.Select(t => experts.IsHighNoise(t) ? 1L : 0L),
            Is.EqualTo(golden.Get("is_high_noise_expert").ToInt64Array()), "expert per step");
        Assert.That(solver.Timesteps.Select(t => (float)experts.Guidance(t)), Is.EqualTo(golden.Get("guide_scale").ToFloatArray()), "guidance per step");

        var noise = golden.Get("noise");
        var latents = golden.Get("latents").ToFloatArray();
        int per = (int)noise.ElementCount;
        var seen = new List<int>();
        double worstLatent = 0;
        var x0 = pipeline.Denoise(context, negative, noise.ToFloatArray(), noise.Shape.ToArray(), solver, experts, step =>
        {
            seen.Add(step.Step);
            worstLatent = Math.Max(worstLatent,
                Metrics.AssertClose(step.Latent.Span, latents.AsSpan((step.Step - 1) * per, per), tol, $"{c} latent after step {step.Step}"));
        });
        Assert.That(seen, Is.EqualTo(Enumerable.Range(1, steps)));
        Metrics.AssertClose(x0, golden.Get("x0").ToFloatArray(), tol, $"{c} x0");

        var video = pipeline.DecodeRaw(x0, noise.Shape.ToArray());
        var videoError = Metrics.AssertClose(video, golden.Get("video_raw").ToFloatArray(), tol, $"{c} video_raw");
        TestContext.Out.WriteLine($"{c} (cpu, through WanEngine): worst latent relative L2 {worstLatent:E2}, video_raw {videoError:E2} (tolerance {tol:E0})");
    }
}
