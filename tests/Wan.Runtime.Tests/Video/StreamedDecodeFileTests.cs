using Wan.Runtime.Engine;
using Wan.Runtime.Pipeline;
using Wan.Runtime.Video;
using Wan.Testing;

namespace Wan.Runtime.Tests.Video;

/// <summary>On every fixture model: the decode streamed into a file writer gives the file of the whole decoded video.</summary>
[Category("Golden")]
public class StreamedDecodeFileTests
{
    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void StreamedY4mAndMp4EqualTheFilesOfTheWholeDecode(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var engine = WanEngine.Open(set.Diffusers, new EngineOptions { Device = EngineDevice.Cpu });
        using var dir = new TempDirectory();
        var shape = new[] { 16, 3, 4, 6 };
        var latent = NoiseGenerator.StandardNormal(21, shape.Aggregate(1, (a, b) => a * b));
        var whole = VideoFrames.FromChannelsFirst(engine.Pipeline.DecodeRaw(latent, shape), 9, 32, 48, 16);
        var extensions = FfmpegPipe.Find() is null ? new[] { ".y4m" } : [".y4m", ".mp4"];
        foreach (var extension in extensions)
        {
            var expected = VideoOutput.Write(whole, dir.Combine("whole" + extension));
            var streamed = dir.Combine("streamed" + extension);
            using (var sink = VideoOutput.Open(streamed, whole.Frames))
            {
                engine.Pipeline.DecodeInto(latent, shape, 16, sink);
                sink.Complete();
            }
            Assert.That(File.ReadAllBytes(streamed), Is.EqualTo(File.ReadAllBytes(expected)), extension);
        }
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void NonFiniteDecodeWritesNothing(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var engine = WanEngine.Open(set.Diffusers, new EngineOptions { Device = EngineDevice.Cpu });
        using var dir = new TempDirectory();
        var shape = new[] { 16, 3, 4, 6 };
        var latent = NoiseGenerator.StandardNormal(21, shape.Aggregate(1, (a, b) => a * b));
        latent[latent.Length - 1] = float.NaN;
        using (var sink = VideoOutput.Open(dir.Combine("clip.y4m"), 9))
        {
            Assert.Throws<NonFiniteLatentException>(() => engine.Pipeline.DecodeInto(latent, shape, 16, sink));
        }
        Assert.That(Directory.GetFileSystemEntries(dir.Path), Is.Empty);
    }
}
