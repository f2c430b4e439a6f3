using Wan.Runtime.Backends.Cpu;
using Wan.Runtime.Backends.Cuda;
using Wan.Runtime.Pipeline;
using Wan.Runtime.Pipeline.Solvers;
using Wan.Runtime.Tensors;
using Wan.Runtime.Tests.Infrastructure;
using static Wan.Kernels.Tests.Emulated.EmulatedTesting;

namespace Wan.Kernels.Tests.Golden;

/// <summary>
/// The whole `pipeline` golden with both DiT experts on the CUDA backend (emulated device, bf16
/// storage) and the text encoder and VAE on the CPU, as `wan generate --device cuda` runs it:
/// every step's latent and the decoded video within the fixture's bf16 tolerance.
/// </summary>
[Category("Golden")]
[Category("Emulated")]
public sealed class CudaPipelineGoldenTests
{
    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.CasesOfKind), new object[] { new[] { "pipeline" } })]
    public void Bf16DitOnTheEmulatedDeviceMatchesReference(FixtureCase? fixtureCase)
    {
        var c = Fixtures.Require(fixtureCase);
        using var golden = c.OpenGolden();
        using var cpu = new CpuBackend();
        using var cuda = new CudaBackend(Emulator, DType.BF16);
        using var pipeline = WanPipeline.Load(new PipelineBackends(cpu, cuda, cpu), c.Set.Diffusers);
        double tol = c.Tolerance("bf16");
        var p = c.Params;

        int[] Ids(string name) => [.. golden.Get(name).ToInt64Array().Select(i => (int)i)];
        using var context = pipeline.EncodeText(Ids("prompt_ids"));
        using var negative = pipeline.EncodeText(Ids("neg_prompt_ids"));
        var solver = FlowSolvers.Create(p.GetProperty("solver").GetString()!, p.GetProperty("steps").GetInt32(), p.GetProperty("shift").GetDouble());
        var guide = p.GetProperty("guide_scale_low_high");
        var experts = new ExpertSchedule(p.GetProperty("boundary").GetDouble(), FlowSolvers.WanTrainTimesteps, guide[0].GetDouble(), guide[1].GetDouble());

        var noise = golden.Get("noise");
        var latents = golden.Get("latents").ToFloatArray();
        int per = (int)noise.ElementCount;
        var x0 = pipeline.Denoise(context, negative, noise.ToFloatArray(), noise.Shape.ToArray(), solver, experts, step =>
            Metrics.AssertClose(step.Latent.Span, latents.AsSpan((step.Step - 1) * per, per), tol, $"{c} bf16 DiT: latent after step {step.Step}"));
        var video = pipeline.DecodeRaw(x0, noise.Shape.ToArray());
        Metrics.AssertClose(video, golden.Get("video_raw").ToFloatArray(), tol, $"{c} bf16 DiT: video_raw");
    }
}
