using Wan.Kernels.Device;
using Wan.Kernels.Roofline;
using Wan.Runtime.Backends.Cuda;
using Wan.Runtime.Config;
using Wan.Runtime.Models.Dit;
using Wan.Runtime.Tensors;
using Wan.Testing;
using static Wan.Testing.EmulatedTesting;
using static Wan.Testing.Metrics;

namespace Wan.Runtime.Tests.Backends.Cuda;

/// <summary>
/// The DiT forward on the CUDA backend (emulated device) against every `dit` golden of every
/// fixture set, per storage dtype: fp32 storage within the fixture's fp32 tolerance, bf16/fp16
/// within its bf16 tolerance. A counting device checks the text KV cache: the per-block text K/V
/// projections run in PrepareText only, never in Forward.
/// </summary>
[Category("Golden")]
[Category("Emulated")]
[Category("EmulatedEndToEnd")]
[TestFixtureSource(nameof(Storages))]
public sealed class CudaDitGoldenTests(DType storage)
{
    public static readonly DType[] Storages = [DType.F32, DType.BF16, DType.F16];

    /// <summary>GEMMs of one Forward: patch embedding, 3 time-embedding linears, 8 per block (attn1 q/k/v/o, attn2 q/o, FFN in/out), the head.</summary>
    private static int ForwardGemms(int layers) => 5 + 8 * layers;

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.CasesOfKind), new object[] { new[] { "dit" } })]
    public void ForwardMatchesReference(FixtureCase? fixtureCase) => Check(Emulator, storage, Fixtures.Require(fixtureCase));

    /// <summary>The golden check on any device (the emulated one here, a GPU in <see cref="GpuDitGoldenTests"/>).</summary>
    internal static void Check(IDevice target, DType storage, FixtureCase c)
    {
        using var golden = c.OpenGolden();
        using var device = new CountingDevice(target);
        using var backend = new CudaBackend(device, storage);
        var subfolder = c.Params.GetProperty("diffusers_subfolder").GetString()!;
        using var dit = WanTransformer.Load(backend, Path.Combine(c.Set.Diffusers, subfolder));
        double tolerance = c.Tolerance(storage == DType.F32 ? "fp32" : "bf16");
        int layers = dit.Config.Layers;

        var t = c.Params.GetProperty("t").GetDouble();
        var x = golden.Get("x");
        var ctx = golden.Get("context");
        using var latent = backend.FromHost(x.ToFloatArray(), x.Shape);
        using var context = backend.FromHost(ctx.ToFloatArray(), ctx.Shape);
        device.Reset();
        using var text = dit.PrepareText(context);
        Assert.That(device.Gemms, Is.EqualTo(2 + 2 * layers), "PrepareText: text MLP (2) and every block's text K/V (2 per block)");

        using (var e = dit.TimeEmbedding(t))
        {
            Metrics.AssertClose(backend.ToHost(e), golden.Get("time_emb").ToFloatArray(), tolerance, $"{c} {storage} time_emb");
        }

        int seqLen = c.Params.GetProperty("seq_len").GetInt32();
        device.Reset();
        using var output = dit.Forward(latent, t, text, seqLen);
        Assert.That(device.Gemms, Is.EqualTo(ForwardGemms(layers)), "Forward reuses the text K/V cache: no per-step text projections");
        TestContext.Out.WriteLine($"{c} {storage}: one forward = {device.Launches} kernel launches + {device.Gemms} GEMMs ({layers} layers)");
        var cfg = dit.Config;
        var shape = new DitShape(cfg.Dim, cfg.FfnDim, cfg.Heads, layers, DitConfig.TextLength, cfg.FreqDim, cfg.InChannels * cfg.Patch.T * cfg.Patch.H * cfg.Patch.W);
        var roofline = RooflineTable.PerForward(shape, c.Params.GetProperty("num_tokens").GetInt32());
        Assert.That(roofline.Where(r => r.Kind == "kernel").Sum(r => r.LaunchesPerForward), Is.EqualTo(device.Launches),
            "the roofline table lists every kernel launch of a forward");
        Assert.That(output.Shape, Is.EqualTo(golden.Get("out").Shape));
        Metrics.AssertClose(backend.ToHost(output), golden.Get("out").ToFloatArray(), tolerance, $"{c} {storage} out");

        device.Reset();
        using var again = dit.Forward(latent, t, text, seqLen);
        Assert.Multiple(() =>
        {
            Assert.That(device.Gemms, Is.EqualTo(ForwardGemms(layers)), "a second step reuses the same cache");
            Assert.That(backend.ToHost(again), Is.EqualTo(backend.ToHost(output)), "the same step twice gives the same numbers");
        });
    }
}
