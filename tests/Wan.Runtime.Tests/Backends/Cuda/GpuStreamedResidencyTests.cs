using Wan.Kernels.Device;
using Wan.Runtime.Engine;
using Wan.Runtime.Pipeline;
using Wan.Runtime.Pipeline.Solvers;
using Wan.Runtime.Tensors;
using Wan.Testing;

namespace Wan.Runtime.Tests.Backends.Cuda;

/// <summary>
/// <see cref="ExpertResidency.Streamed"/> on a real GPU: every <c>pipeline</c> golden denoised in bf16 with the
/// transformer blocks streaming through the <see cref="CudaDevice"/>'s copy stream ends at the same x0 as with both
/// experts resident, bit for bit (the same kernels read the same bytes; both runs direct, not captured), every step's
/// latent within the golden's bf16 tolerance, and the blocks really streamed. Run by scripts/gpu-check.sh; ignored,
/// with the reason, without a GPU.
/// </summary>
[Category("Golden")]
[Category("Gpu")]
public sealed class GpuStreamedResidencyTests
{
    [OneTimeSetUp]
    public void RequireGpu()
    {
        if (!CudaDevice.IsAvailable(out var reason))
        {
            Assert.Ignore($"no usable CUDA device: {reason}");
        }
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.CasesOfKind), new object[] { new[] { "pipeline" } })]
    public void StreamedBlocksDenoiseLikeResidentOnes(FixtureCase? fixtureCase)
    {
        var c = Fixtures.Require(fixtureCase);
        using var golden = c.OpenGolden();
        double tol = c.Tolerance("bf16");
        var options = new EngineOptions { Device = EngineDevice.Cuda, Precision = DType.BF16, CaptureStepGraphs = false };
        var (resident, _) = Denoise(c, golden, options, tol);
        var (streamed, uploads) = Denoise(c, golden, options with { ExpertResidency = ExpertResidency.Streamed }, tol);
        TestContext.Out.WriteLine($"{c}: {uploads} block uploads on the copy stream");
        Assert.Multiple(() =>
        {
            Assert.That(uploads, Is.GreaterThan(0), "the blocks streamed");
            Assert.That(streamed, Is.EqualTo(resident), "x0, streamed vs both resident, bit for bit");
        });
    }

    /// <summary>Denoises the case on the GPU (latent within tolerance after every step); x0 and the block uploads queued.</summary>
    private static (float[] X0, long Uploads) Denoise(FixtureCase c, Wan.Runtime.Weights.SafetensorsFile golden, EngineOptions options, double tolerance)
    {
        using var engine = WanEngine.Open(c.Set.Diffusers, options);
        var pipeline = engine.Pipeline;
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
            Metrics.AssertClose(step.Latent.Span, latents.AsSpan((step.Step - 1) * per, per), tolerance, $"{c} latent after step {step.Step} on the GPU"));
        return (x0, pipeline.HighNoise.Streamer?.Uploads ?? 0);
    }
}
