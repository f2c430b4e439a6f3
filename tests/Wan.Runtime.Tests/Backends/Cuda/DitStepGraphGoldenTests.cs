using System.Diagnostics;
using Wan.Kernels.Device;
using Wan.Runtime.Backends.Cuda;
using Wan.Runtime.Models.Dit;
using Wan.Runtime.Pipeline;
using Wan.Runtime.Tensors;
using Wan.Testing;
using static Wan.Testing.EmulatedTesting;
using static Wan.Testing.Metrics;

namespace Wan.Runtime.Tests.Backends.Cuda;

/// <summary>
/// One denoising step (cond + uncond forward) captured by <see cref="DitStepGraph"/> and replayed on
/// the emulated device, for every `dit` golden and storage dtype: a replay at the golden's t gives the
/// bits of the direct forwards (and the golden within tolerance); a replay at a second latent and t,
/// with the outputs poisoned first, gives the bits of direct forwards there; a replay makes O(1) host
/// calls. Prints launches per step and host times (emulator: kernels run on the CPU).
/// </summary>
[Category("Golden")]
[Category("Emulated")]
[Category("EmulatedEndToEnd")]
[TestFixtureSource(nameof(Storages))]
public sealed class DitStepGraphGoldenTests(DType storage)
{
    public static readonly DType[] Storages = [DType.F32, DType.BF16];

    /// <summary>Host calls of one replayed step: latent and sinusoid uploads, two downloads (and one graph launch).</summary>
    private const int CopiesPerReplay = 4;

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.CasesOfKind), new object[] { new[] { "dit" } })]
    public void ReplayedStepEqualsDirectForwards(FixtureCase? fixtureCase)
    {
        var c = Fixtures.Require(fixtureCase);
        using var device = new EmulatedDevice();
        Check(device, storage, c);
    }

    /// <summary>The check on any device (the emulated one here, a GPU in <see cref="GpuDitStepGraphTests"/>).</summary>
    internal static void Check(IDevice target, DType storage, FixtureCase c)
    {
        using var golden = c.OpenGolden();
        using var device = new CountingDevice(target);
        using var backend = new CudaBackend(device, storage);
        var subfolder = c.Params.GetProperty("diffusers_subfolder").GetString()!;
        using var dit = WanTransformer.Load(backend, Path.Combine(c.Set.Diffusers, subfolder));
        double tolerance = c.Tolerance(storage == DType.F32 ? "fp32" : "bf16");
        var t = c.Params.GetProperty("t").GetDouble();
        int seqLen = c.Params.GetProperty("seq_len").GetInt32();
        var x = golden.Get("x");
        var ctx = golden.Get("context").ToFloatArray();
        using var context = backend.FromHost(ctx, golden.Get("context").Shape);
        using var negative = backend.FromHost(Array.ConvertAll(ctx, v => -0.5f * v), golden.Get("context").Shape);
        using var cond = dit.PrepareText(context);
        using var uncond = dit.PrepareText(negative);

        (float[] Cond, float[] Uncond) Direct(float[] latent, double timestep)
        {
            using var input = backend.FromHost(latent, x.Shape);
            using var vc = dit.Forward(input, timestep, cond, seqLen);
            using var vu = dit.Forward(input, timestep, uncond, seqLen);
            return (backend.ToHost(vc), backend.ToHost(vu));
        }

        var latent1 = x.ToFloatArray();
        dit.PrepareGrid(x.Shape); // the RoPE upload of the first forward is not part of a step
        device.Reset();
        var clock = Stopwatch.StartNew();
        var direct1 = Direct(latent1, t);
        var directTime = clock.Elapsed;
        int directLaunches = device.Launches, directGemms = device.Gemms, directCopies = device.Copies;

        device.Reset();
        clock.Restart();
        using var step = new DitStepGraph(backend, dit, cond, uncond, x.Shape, seqLen);
        var captureTime = clock.Elapsed;
        Assert.Multiple(() =>
        {
            Assert.That((step.Graph.Kernels, step.Graph.Gemms), Is.EqualTo((directLaunches, directGemms)),
                "the graph holds every launch and GEMM of the two direct forwards");
            Assert.That(device.Copies, Is.Zero, "capture uploads nothing (RoPE table prepared before, sinusoid from a buffer)");
        });

        device.Reset();
        clock.Restart();
        var replay1 = step.Run(latent1, t);
        var replayTime = clock.Elapsed;
        Assert.Multiple(() =>
        {
            Assert.That((device.Launches, device.Gemms, device.Copies), Is.EqualTo((0, 0, CopiesPerReplay)),
                "a replayed step: one graph launch and four copies on the host, however many layers");
            Assert.That(replay1.Cond, Is.EqualTo(direct1.Cond), "replay at the golden's t: conditional bits");
            Assert.That(replay1.Uncond, Is.EqualTo(direct1.Uncond), "replay at the golden's t: unconditional bits");
        });
        var error = Metrics.AssertClose(replay1.Cond, golden.Get("out").ToFloatArray(), tolerance, $"{c} {storage} replayed out");
        TestContext.Out.WriteLine($"{c} {storage}: replayed out vs golden relative L2 {error:E2} (tolerance {tolerance:E0})");

        var random = NewRandom();
        var latent2 = Uniform(random, latent1.Length, -1.5f, 1.5f);
        double t2 = 0.37 * t + 11.25;
        var direct2 = Direct(latent2, t2);
        var nan = Enumerable.Repeat(float.NaN, latent1.Length).ToArray();
        backend.Write(step.Outputs.Cond, nan);
        backend.Write(step.Outputs.Uncond!, nan);
        var replay2 = step.Run(latent2, t2);
        Assert.Multiple(() =>
        {
            Assert.That(replay2.Cond, Is.EqualTo(direct2.Cond), "replay at a second latent and t: conditional bits");
            Assert.That(replay2.Uncond, Is.EqualTo(direct2.Uncond), "replay at a second latent and t: unconditional bits");
            Assert.That(replay2.Cond, Is.Not.EqualTo(replay1.Cond), "the second input changes the prediction");
        });

        TestContext.Out.WriteLine(
            $"{c} {storage} on {target.Name}, {dit.Config.Layers} layers: one step (cond + uncond) = {step.Graph.Kernels} kernel launches + {step.Graph.Gemms} GEMMs captured; " +
            $"direct step: {directLaunches + directGemms + directCopies} host device calls; replayed step: 1 graph launch + {CopiesPerReplay} copies; graph memory {step.Graph.OwnedBytes / 1024.0:F0} KiB");
        TestContext.Out.WriteLine(
            $"host time per step ({target.Name}): direct {directTime.TotalMilliseconds:F1} ms, replay {replayTime.TotalMilliseconds:F1} ms, " +
            $"capture (issuing the step's launches without running them) {captureTime.TotalMilliseconds:F1} ms");
    }
}
