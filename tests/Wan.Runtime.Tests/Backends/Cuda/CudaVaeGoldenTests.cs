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
/// </summary>
[Category("Golden")]
[Category("Emulated")]
[TestFixtureSource(nameof(Storages))]
public sealed class CudaVaeGoldenTests(DType storage)
{
    public static readonly DType[] Storages = [DType.F32, DType.BF16, DType.F16];

    private double ToleranceOf(FixtureCase c) => c.Tolerance(storage == DType.F32 ? "fp32" : "bf16");

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.CasesOfKind), new object[] { new[] { "vae_decode" } })]
    public void DecodeMatchesTheReferenceWithoutHostCopies(FixtureCase? fixtureCase)
    {
        var c = Fixtures.Require(fixtureCase);
        using var golden = c.OpenGolden();
        using var device = new CountingDevice(Emulator);
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
        TestContext.Out.WriteLine($"{c} {storage}: decode of {zInfo.Shape} = {device.Launches} launches + {device.Gemms} GEMMs, {watch.Elapsed.TotalMilliseconds:F0} ms emulated");

        Assert.That(video.Shape, Is.EqualTo(expected.Shape));
        Metrics.AssertClose(backend.ToHost(video), expected.ToFloatArray(), ToleranceOf(c), $"{c} {storage} video_raw");
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.CasesOfKind), new object[] { new[] { "vae_encode" } })]
    public void EncodeMatchesTheReference(FixtureCase? fixtureCase)
    {
        var c = Fixtures.Require(fixtureCase);
        using var golden = c.OpenGolden();
        using var device = new CountingDevice(Emulator);
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
            Metrics.AssertClose(backend.ToHost(actual), expected.ToFloatArray(), ToleranceOf(c), $"{c} {storage} {name}");
        }
    }
}
