using Wan.Runtime.Engine;
using Wan.Runtime.Lora;
using Wan.Runtime.Pipeline;
using Wan.Runtime.Pipeline.Solvers;
using Wan.Testing;

namespace Wan.Runtime.Tests.Lora;

/// <summary>
/// Every <c>lora_pipeline</c> case on the CPU backend in both paths: the whole denoising loop with the
/// case's LoRAs on the high-noise expert (<c>params.high_noise_model_loras</c>) and on the low-noise
/// one (<c>low_noise_model_loras</c>), latents after every step, x0 and the decoded video against the golden.
/// </summary>
[Category("Golden")]
[TestFixtureSource(nameof(Modes))]
public sealed class LoraPipelineGoldenTests(LoraMode mode)
{
    public static readonly LoraMode[] Modes = [LoraMode.Unmerged, LoraMode.Merged];

    [TestCaseSource(typeof(LoraFixtures), nameof(LoraFixtures.CasesOfKind), new object[] { new[] { "lora_pipeline" } })]
    public void TextToVideoMatchesReference(FixtureCase? fixtureCase)
    {
        var c = LoraFixtures.Require(fixtureCase);
        using var golden = c.OpenGolden();
        using var engine = WanEngine.Open(c.Set.Diffusers, new EngineOptions { Device = EngineDevice.Cpu });
        var pipeline = engine.Pipeline;
        var (x0, video) = Run(pipeline, c, golden, mode, c.Tolerance("fp32"));
        Metrics.AssertClose(x0, golden.Get("x0").ToFloatArray(), c.Tolerance("fp32"), $"{c} {mode} x0");
        Metrics.AssertClose(video, golden.Get("video_raw").ToFloatArray(), c.Tolerance("fp32"), $"{c} {mode} video_raw");
    }

    /// <summary>Runs the case's denoising loop (latents checked after every step) and decode; returns x0 and video_raw.</summary>
    public static (float[] X0, float[] Video) Run(WanPipeline pipeline, FixtureCase c, Wan.Runtime.Weights.SafetensorsFile golden, LoraMode mode, double tolerance)
    {
        var p = c.Params;
        int[] Ids(string name) => [.. golden.Get(name).ToInt64Array().Select(i => (int)i)];
        using var context = pipeline.EncodeText(Ids("prompt_ids"));
        using var negative = pipeline.EncodeText(Ids("neg_prompt_ids"));
        int steps = p.GetProperty("steps").GetInt32();
        var solver = FlowSolvers.Create(p.GetProperty("solver").GetString()!, steps, p.GetProperty("shift").GetDouble());
        Assert.That(solver.Timesteps, Is.EqualTo(golden.Get("timesteps").ToInt64Array()), "timesteps");
        var guide = p.GetProperty("guide_scale_low_high");
        var experts = new ExpertSchedule(p.GetProperty("boundary").GetDouble(), FlowSolvers.WanTrainTimesteps,
            guide[0].GetDouble(), guide[1].GetDouble());
        Assert.That(solver.Timesteps.Select(t => experts.IsHighNoise(t) ? 1L : 0L),
            Is.EqualTo(golden.Get("is_high_noise_expert").ToInt64Array()), "expert per step");

        var adapters = pipeline.Loras.Resolve(LoraFixtures.PipelineStack(c), mode);
        Assert.That(adapters.Mode, Is.EqualTo(mode));
        var noise = golden.Get("noise");
        var latents = golden.Get("latents").ToFloatArray();
        int per = (int)noise.ElementCount;
        var x0 = pipeline.Denoise(context, negative, noise.ToFloatArray(), noise.Shape.ToArray(), solver, experts, step =>
            Metrics.AssertClose(step.Latent.Span, latents.AsSpan((step.Step - 1) * per, per), tolerance, $"{c} {mode} latent after step {step.Step}"),
            adapters: adapters);
        return (x0, pipeline.DecodeRaw(x0, noise.Shape.ToArray()));
    }
}
