using Wan.Runtime.Backends.Cpu;
using Wan.Runtime.Models.Vae;
using Wan.Runtime.Tensors;
using Wan.Runtime.Tests.Infrastructure;

namespace Wan.Runtime.Tests.Golden;

public class VaeGoldenTests
{
    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.CasesOfKind), new object[] { new[] { "vae_decode" } })]
    [Category("Golden")]
    public void DecodeMatchesTheReference(FixtureCase? fixtureCase)
    {
        var c = Fixtures.Require(fixtureCase);
        using var golden = c.OpenGolden();
        using var backend = new CpuBackend();
        using var vae = WanVae.Load(backend, Path.Combine(c.Set.Diffusers, "vae"));
        var zInfo = golden.Get("z");
        using var z = backend.FromHost(zInfo.ToFloatArray(), zInfo.Shape);
        var expected = golden.Get("video_raw");

        using var video = vae.Decode(z);

        Assert.That(video.Shape, Is.EqualTo(expected.Shape));
        Metrics.AssertClose(backend.ToHost(video), expected.ToFloatArray(), c.Tolerance("fp32"), $"{c} video_raw");
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.CasesOfKind), new object[] { new[] { "vae_encode" } })]
    [Category("Golden")]
    public void EncodeMatchesTheReference(FixtureCase? fixtureCase)
    {
        var c = Fixtures.Require(fixtureCase);
        using var golden = c.OpenGolden();
        using var backend = new CpuBackend();
        using var vae = WanVae.Load(backend, Path.Combine(c.Set.Diffusers, "vae"));
        var videoInfo = golden.Get("video");
        using var video = backend.FromHost(videoInfo.ToFloatArray(), videoInfo.Shape);
        double tolerance = c.Tolerance("fp32");

        using var latent = vae.Encode(video);
        using var distribution = vae.EncodeDistribution(video);

        foreach (var (name, actual) in new[] { ("latent", latent), ("mu_raw", distribution.Mean), ("log_var", distribution.LogVar) })
        {
            var expected = golden.Get(name);
            Assert.That(actual.Shape, Is.EqualTo(expected.Shape), name);
            Metrics.AssertClose(backend.ToHost(actual), expected.ToFloatArray(), tolerance, $"{c} {name}");
        }
    }
}
