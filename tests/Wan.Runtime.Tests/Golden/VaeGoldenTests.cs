using Wan.Runtime.Backends.Cpu;
using Wan.Runtime.Models.Vae;
using Wan.Runtime.Tensors;
using Wan.Testing;
using Wan.Runtime.Weights;

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

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.CasesOfKind), new object[] { new[] { "vae_decode" } })]
    [Category("Golden")]
    public void DecodeChunksStreamOneThenFourFramesPerLatentFrame(FixtureCase? fixtureCase)
    {
        var c = Fixtures.Require(fixtureCase);
        using var golden = c.OpenGolden();
        using var backend = new CpuBackend();
        using var vae = WanVae.Load(backend, Path.Combine(c.Set.Diffusers, "vae"));
        var zInfo = golden.Get("z");
        using var z = backend.FromHost(zInfo.ToFloatArray(), zInfo.Shape);
        var expected = golden.Get("video_raw");
        var reference = expected.ToFloatArray();
        int channels = expected.Shape[0], frames = expected.Shape[1], plane = expected.Shape[2] * expected.Shape[3];

        int start = 0, chunks = 0;
        foreach (var chunk in vae.DecodeChunks(z))
        {
            using (chunk)
            {
                int n = chunk.Shape[1];
                Assert.That(n, Is.EqualTo(chunks == 0 ? 1 : vae.Config.TemporalScale), $"frames in chunk {chunks}");
                var want = new float[channels * n * plane];
                for (int ch = 0; ch < channels; ch++)
                {
                    reference.AsSpan((ch * frames + start) * plane, n * plane).CopyTo(want.AsSpan(ch * n * plane));
                }
                Metrics.AssertClose(backend.ToHost(chunk), want, c.Tolerance("fp32"), $"{c} chunk {chunks} (frames {start}..{start + n - 1})");
                start += n;
                chunks++;
            }
        }
        Assert.That((chunks, start), Is.EqualTo((zInfo.Shape[1], vae.VideoFrames(zInfo.Shape[1]))));
        Assert.That(start, Is.EqualTo(frames));
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    [Category("Golden")]
    public void DecodeAndEncodeRejectBadShapes(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var backend = new CpuBackend();
        using var vae = WanVae.Load(backend, Path.Combine(set.Diffusers, "vae"));
        int z = vae.Config.ZDim, s = vae.Config.SpatialScale;
        using var wrongChannels = backend.FromHost(new float[(z + 1) * 2 * 2], new Shape(z + 1, 1, 2, 2));
        using var fourFrames = backend.FromHost(new float[3 * 4 * s * s], new Shape(3, 4, s, s));
        using var oddSize = backend.FromHost(new float[3 * (s + 1) * s], new Shape(3, 1, s + 1, s));

        var decode = Assert.Throws<ArgumentException>(() => vae.DecodeChunks(wrongChannels));
        Assert.That(decode!.Message, Does.Contain("decode"));
        var frames = Assert.Throws<ArgumentException>(() => vae.Encode(fourFrames));
        Assert.That(frames!.Message, Does.Contain("4 frames"));
        var size = Assert.Throws<ArgumentException>(() => vae.Encode(oddSize));
        Assert.That(size!.Message, Does.Contain("multiple of"));
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    [Category("Golden")]
    public void LoadNamesAMissingOrMisshapenWeight(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        var vaeDir = Path.Combine(set.Diffusers, "vae");
        using var backend = new CpuBackend();
        var defects = new (string Name, Shape? Shape, string Problem)[]
        {
            ("decoder.up_blocks.1.resnets.0.conv_shortcut.weight", null, "is missing"),
            ("encoder.mid_block.attentions.0.proj.bias", new Shape(1), "has shape [1]"),
        };
        foreach (var (name, shape, problem) in defects)
        {
            var dir = Directory.CreateTempSubdirectory("wan-vae-").FullName;
            try
            {
                WriteDefectiveCopy(vaeDir, dir, name, shape);

                var e = Assert.Throws<InvalidDataException>(() => WanVae.Load(backend, dir));

                Assert.That(e!.Message, Does.Contain($"'{name}' {problem}"));
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    /// <summary>Copies a VAE directory with one weight dropped (shape null) or replaced by zeros of another shape.</summary>
    private static void WriteDefectiveCopy(string vaeDir, string dir, string name, Shape? shape)
    {
        File.Copy(Path.Combine(vaeDir, "config.json"), Path.Combine(dir, "config.json"));
        using var source = SafetensorsCheckpoint.Open(vaeDir);
        var entries = source.Names
            .Where(n => n != name || shape is not null)
            .Order(StringComparer.Ordinal)
            .Select(n => (n, DType.F32, n == name ? shape!.Value : source.Get(n).Shape))
            .ToList();
        using var writer = new SafetensorsWriter(Path.Combine(dir, "diffusion_pytorch_model.safetensors"), entries);
        foreach (var (entry, _, entryShape) in entries)
        {
            writer.WriteTensor(entry, entry == name ? new float[entryShape.ElementCount] : source.Get(entry).ToFloatArray());
        }
        writer.Commit();
    }
}
