using Wan.Runtime.Engine;
using Wan.Runtime.Pipeline;
using Wan.Runtime.Pipeline.Solvers;
using Wan.Runtime.Tensors;
using Wan.Testing;

namespace Wan.Runtime.Tests.Backends.Cuda;

/// <summary>
/// Every `pipeline` golden through <see cref="WanEngine"/> with <c>Device = CudaEmulated</c> in fp32 and fp16
/// storage (bf16: <see cref="DitStepGraphPipelineGoldenTests"/>, the same engine and checks, with step graphs
/// compared to direct forwards; kept out of here to save emulated CI time): the text encoder and the DiT on the emulated CUDA backend, the VAE too whenever the CUDA backend
/// declares its family (else routed to the CPU explicitly, <see cref="EmulatedEngineOptions"/>). Both text
/// contexts, the latent after every step, x0 and the raw video against the golden: fp32 within the fixture's fp32
/// tolerance, fp16 within its half-precision (bf16) tolerance.
/// </summary>
[Category("Golden")]
[Category("Emulated")]
[Category("EmulatedEndToEnd")]
[TestFixtureSource(nameof(Storages))]
public sealed class EmulatedPipelineGoldenTests(DType storage)
{
    public static readonly DType[] Storages = [DType.F32, DType.F16];

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.CasesOfKind), new object[] { new[] { "pipeline" } })]
    public void EveryStageOnTheDeviceMatchesTheReference(FixtureCase? fixtureCase) =>
        Check(Fixtures.Require(fixtureCase), EmulatedEngineOptions.For(storage), storage);

    /// <summary>
    /// The checks above through an engine opened with <paramref name="options"/> (every component on
    /// <c>options.Device</c>; the real-GPU twin is GpuPipelineGoldenTests), tolerance by <paramref name="storage"/>.
    /// </summary>
    internal static void Check(FixtureCase c, EngineOptions options, DType storage)
    {
        using var golden = c.OpenGolden();
        using var engine = WanEngine.Open(c.Set.Diffusers, options);
        Assert.That(engine.Placement.Select(p => (p.Component, p.Device, p.Reason)), Is.EqualTo(new[]
        {
            ("text encoder", options.Device, (string?)null), ("DiT", options.Device, null), ("VAE", options.Device, null),
        }));
        var pipeline = engine.Pipeline;
        double tol = c.Tolerance(storage == DType.F32 ? "fp32" : "bf16");
        var p = c.Params;
        var label = $"{c} {storage}";

        int[] Ids(string name) => [.. golden.Get(name).ToInt64Array().Select(i => (int)i)];
        using var context = pipeline.EncodeText(Ids("prompt_ids"));
        using var negative = pipeline.EncodeText(Ids("neg_prompt_ids"));
        var text = pipeline.Backends.Text;
        double contextError = Metrics.AssertClose(text.ToHost(context), golden.Get("context").ToFloatArray(), tol, $"{label} context");
        Metrics.AssertClose(text.ToHost(negative), golden.Get("context_null").ToFloatArray(), tol, $"{label} context_null");

        var solver = FlowSolvers.Create(p.GetProperty("solver").GetString()!, p.GetProperty("steps").GetInt32(), p.GetProperty("shift").GetDouble());
        var guide = p.GetProperty("guide_scale_low_high");
        var experts = new ExpertSchedule(p.GetProperty("boundary").GetDouble(), FlowSolvers.WanTrainTimesteps, guide[0].GetDouble(), guide[1].GetDouble());
        var noise = golden.Get("noise");
        var latents = golden.Get("latents").ToFloatArray();
        int per = (int)noise.ElementCount;
        double worstLatent = 0;
        var x0 = pipeline.Denoise(context, negative, noise.ToFloatArray(), noise.Shape.ToArray(), solver, experts, step =>
            worstLatent = Math.Max(worstLatent, Metrics.AssertClose(step.Latent.Span, latents.AsSpan((step.Step - 1) * per, per), tol,
                $"{label} latent after step {step.Step}")));
        Metrics.AssertClose(x0, golden.Get("x0").ToFloatArray(), tol, $"{label} x0");
        var video = pipeline.DecodeRaw(x0, noise.Shape.ToArray());
        double videoError = Metrics.AssertClose(video, golden.Get("video_raw").ToFloatArray(), tol, $"{label} video_raw");
        TestContext.Out.WriteLine($"{label}: context {contextError:E2}, worst latent {worstLatent:E2}, video_raw {videoError:E2} (tolerance {tol:E0}); " +
                                  $"{engine.DescribePlacement()}");
    }
}
