using Wan.Kernels.Device;
using Wan.Runtime.Backends.Cuda;
using Wan.Runtime.Models.Vae;
using Wan.Runtime.Tensors;
using Wan.Testing;
using static Wan.Testing.EmulatedTesting;

namespace Wan.Runtime.Tests.Backends.Cuda;

/// <summary>
/// The Wan VAE on the CUDA backend (emulated device) against every `vae_decode` and `vae_encode`
/// golden of every fixture set, per storage dtype: fp32 storage within the fixture's fp32 tolerance,
/// bf16/fp16 within its bf16 tolerance. A counting device checks that the causal frame cache stays on
/// the device: decoding copies nothing between host and device, between latent frames or at the end.
/// The tiled decode on the device equals the CPU's.
/// </summary>
[Category("Golden")]
[Category("Emulated")]
[Category("EmulatedEndToEnd")]
[TestFixtureSource(nameof(Storages))]
public sealed class CudaVaeGoldenTests(DType storage)
{
    public static readonly DType[] Storages = [DType.F32, DType.BF16, DType.F16];

    private static double ToleranceOf(FixtureCase c, DType storage) => c.Tolerance(storage == DType.F32 ? "fp32" : "bf16");

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.CasesOfKind), new object[] { new[] { "vae_decode" } })]
    public void DecodeMatchesTheReferenceWithoutHostCopies(FixtureCase? fixtureCase) =>
        CheckDecode(Emulator, storage, Fixtures.Require(fixtureCase));

    /// <summary>The decode checks above on <paramref name="on"/> (the emulated device, or a GPU in GpuPipelineGoldenTests).</summary>
    internal static void CheckDecode(IDevice on, DType storage, FixtureCase c)
    {
        using var golden = c.OpenGolden();
        using var device = new CountingDevice(on);
        using var backend = new CudaBackend(device, storage);
        using var vae = WanVae.Load(backend, Path.Combine(c.Set.Diffusers, "vae"));
        var zInfo = golden.Get("z");
        using var z = backend.FromHost(zInfo.ToFloatArray(), zInfo.Shape);
        var expected = golden.Get("video_raw");

        device.Reset();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        using var video = vae.Decode(z);
        watch.Stop();
        Assert.That(device.Copies, Is.Zero, "the decoder's frame cache and the assembled video stay on the device");
        TestContext.Out.WriteLine($"{c} {storage}: decode of {zInfo.Shape} = {device.Launches} launches + {device.Gemms} GEMMs, {watch.Elapsed.TotalMilliseconds:F0} ms on {on.Name}");

        Assert.That(video.Shape, Is.EqualTo(expected.Shape));
        var values = backend.ToHost(video);
        Assert.That(device.Copies, Is.EqualTo(1), "the counter sees a copy to the host: the zero above is not a blind counter");
        Metrics.AssertClose(values, expected.ToFloatArray(), ToleranceOf(c, storage), $"{c} {storage} video_raw");
    }

    /// <summary>
    /// The tiled decode on the device (two tiles along the longer side, overlapping by half a tile) equals the
    /// CPU's tiled decode: the first latent frame's chunk (1 video frame; later chunks run the same code).
    /// </summary>
    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.CasesOfKind), new object[] { new[] { "vae_decode" } })]
    public void TiledDecodeMatchesTheCpu(FixtureCase? fixtureCase)
    {
        var c = Fixtures.Require(fixtureCase);
        using var golden = c.OpenGolden();
        var zInfo = golden.Get("z");
        int tile = Math.Max(zInfo.Shape[2], zInfo.Shape[3]) - 2;
        Assume.That(tile >= 2 && tile >= Math.Min(zInfo.Shape[2], zInfo.Shape[3]), $"latent {zInfo.Shape} is too small for two tiles");
        var tiling = new VaeTiling(tile, tile / 2);
        float[] FirstChunk(Wan.Runtime.Backends.IVaeOps ops)
        {
            using var vae = WanVae.Load(ops, Path.Combine(c.Set.Diffusers, "vae"));
            vae.Tiling = tiling;
            using var z = ops.FromHost(zInfo.ToFloatArray(), zInfo.Shape);
            using var chunk = vae.DecodeChunks(z).First();
            return ops.ToHost(chunk);
        }
        using var cpu = new Wan.Runtime.Backends.Cpu.CpuBackend();
        using var cuda = new CudaBackend(Emulator, storage);
        Metrics.AssertClose(FirstChunk(cuda), FirstChunk(cpu), ToleranceOf(c, storage), $"{c} {storage} tiled first chunk vs CPU tiled");
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.CasesOfKind), new object[] { new[] { "vae_encode" } })]
    public void EncodeMatchesTheReference(FixtureCase? fixtureCase) =>
        CheckEncode(Emulator, storage, Fixtures.Require(fixtureCase));

    /// <summary>The encode checks above on <paramref name="on"/> (the emulated device, or a GPU in GpuPipelineGoldenTests).</summary>
    internal static void CheckEncode(IDevice on, DType storage, FixtureCase c)
    {
        using var golden = c.OpenGolden();
        using var device = new CountingDevice(on);
        using var backend = new CudaBackend(device, storage);
        using var vae = WanVae.Load(backend, Path.Combine(c.Set.Diffusers, "vae"));
        var videoInfo = golden.Get("video");
        using var video = backend.FromHost(videoInfo.ToFloatArray(), videoInfo.Shape);

        device.Reset();
        using var distribution = vae.EncodeDistribution(video);
        Assert.That(device.Copies, Is.Zero, "the encoder's frame cache stays on the device");
        using var latent = vae.Encode(video);

        foreach (var (name, actual) in new[] { ("latent", latent), ("mu_raw", distribution.Mean), ("log_var", distribution.LogVar) })
        {
            var expected = golden.Get(name);
            Assert.That(actual.Shape, Is.EqualTo(expected.Shape), name);
            Metrics.AssertClose(backend.ToHost(actual), expected.ToFloatArray(), ToleranceOf(c, storage), $"{c} {storage} {name}");
        }
    }
}
