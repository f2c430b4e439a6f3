using System.Diagnostics;
using Wan.Runtime.Engine;
using Wan.Runtime.Models.Dit;
using Wan.Runtime.Pipeline;
using Wan.Runtime.Pipeline.Solvers;
using Wan.Runtime.Tensors;
using Wan.Testing;

namespace Wan.Runtime.Tests.Backends.Cuda;

/// <summary>
/// The `pipeline` golden on the emulated device (bf16): the text contexts (umT5 on the device) within the
/// golden's bf16 tolerance, then its denoising loop run by WanPipeline.Denoise twice, with every step replayed
/// from a <see cref="DitStepGraph"/> (one per expert, captured at its first step) and with direct forwards.
/// Every step's latent must be bit-identical between the two and within the golden's bf16 tolerance, and the
/// decoded video (the VAE on the device as soon as the CUDA backend declares its family, see
/// <see cref="EmulatedEngineOptions"/>) within that tolerance too.
/// </summary>
[Category("Golden")]
[Category("Emulated")]
[Category("EmulatedEndToEnd")]
public sealed class DitStepGraphPipelineGoldenTests
{
    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.CasesOfKind), new object[] { new[] { "pipeline" } })]
    public void ReplayedStepsGiveTheDirectDenoise(FixtureCase? fixtureCase)
    {
        var c = Fixtures.Require(fixtureCase);
        using var golden = c.OpenGolden();
        using var engine = WanEngine.Open(c.Set.Diffusers, EmulatedEngineOptions.For(DType.BF16));
        var pipeline = engine.Pipeline;
        Assert.That(engine.Placement.Select(p => (p.Component, p.Device)), Is.EqualTo(new[]
        {
            ("text encoder", EngineDevice.CudaEmulated), ("DiT", EngineDevice.CudaEmulated), ("VAE", EmulatedEngineOptions.VaeDevice),
        }), "every component on the chosen device; the VAE routed to the CPU explicitly while CUDA lacks its family");
        double tol = c.Tolerance("bf16");
        var p = c.Params;

        int[] Ids(string name) => [.. golden.Get(name).ToInt64Array().Select(i => (int)i)];
        using var context = pipeline.EncodeText(Ids("prompt_ids"));
        using var negative = pipeline.EncodeText(Ids("neg_prompt_ids"));
        Metrics.AssertClose(pipeline.Backends.Text.ToHost(context), golden.Get("context").ToFloatArray(), tol, $"{c} bf16 context (umT5 on the device)");
        Metrics.AssertClose(pipeline.Backends.Text.ToHost(negative), golden.Get("context_null").ToFloatArray(), tol, $"{c} bf16 context_null");
        IFlowSolver Solver() => FlowSolvers.Create(p.GetProperty("solver").GetString()!, p.GetProperty("steps").GetInt32(), p.GetProperty("shift").GetDouble());
        var guide = p.GetProperty("guide_scale_low_high");
        var experts = new ExpertSchedule(p.GetProperty("boundary").GetDouble(), FlowSolvers.WanTrainTimesteps, guide[0].GetDouble(), guide[1].GetDouble());
        var noise = golden.Get("noise");
        var shape = noise.Shape;
        var latents = golden.Get("latents").ToFloatArray();
        int per = (int)noise.ElementCount;

        List<float[]> Run(bool graphs, out TimeSpan time)
        {
            pipeline.CaptureStepGraphs = graphs;
            var steps = new List<float[]>();
            var clock = Stopwatch.StartNew();
            pipeline.Denoise(context, negative, noise.ToFloatArray(), shape.ToArray(), Solver(), experts, step => steps.Add(step.Latent.ToArray()));
            time = clock.Elapsed;
            return steps;
        }
        var direct = Run(graphs: false, out var directTime);
        var replayed = Run(graphs: true, out var graphTime);
        Assert.That(replayed, Has.Count.EqualTo(direct.Count));
        for (int i = 0; i < replayed.Count; i++)
        {
            Assert.That(replayed[i], Is.EqualTo(direct[i]), $"{c}: latent after step {i + 1}, replayed vs direct");
            Metrics.AssertClose(replayed[i], latents.AsSpan(i * per, per), tol, $"{c} bf16 DiT graph: latent after step {i + 1}");
        }
        var video = pipeline.DecodeRaw(replayed[^1], shape.ToArray());
        Metrics.AssertClose(video, golden.Get("video_raw").ToFloatArray(), tol, $"{c} bf16 DiT graph: video_raw");
        TestContext.Out.WriteLine($"{c}: {replayed.Count} steps on {pipeline.Backends.Dit.Name}: direct {directTime.TotalMilliseconds:F0} ms, " +
            $"graphs {graphTime.TotalMilliseconds:F0} ms (captures included; the emulator runs every kernel on the CPU, so these are not GPU times)");
    }
}
