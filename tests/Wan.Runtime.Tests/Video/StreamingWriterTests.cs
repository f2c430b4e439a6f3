using System.Security.Cryptography;
using Wan.Runtime.Video;
using Wan.Testing;

namespace Wan.Runtime.Tests.Video;

/// <summary>
/// The writers stream: they accept frames chunk by chunk, write the same bytes as the whole-video writers did,
/// leave nothing behind unless completed, and their memory does not grow with the frame count.
/// </summary>
public class StreamingWriterTests
{
    private TempDirectory _dir = null!;

    [SetUp]
    public void SetUp() => _dir = new TempDirectory();

    [TearDown]
    public void TearDown() => _dir.Dispose();

    private static VideoFrames Video() => VideoFrames.FromChannelsFirst(new RandomData(11).Normal(3 * 9 * 24 * 40, 0.7f), 9, 24, 40);

    /// <summary>Feeds the video as a VAE decode does: one frame, then chunks of four.</summary>
    private static void Stream(VideoFrames video, IVideoSink sink)
    {
        sink.Begin(video.Format);
        for (int start = 0; start < video.Frames;)
        {
            int n = start == 0 ? 1 : Math.Min(4, video.Frames - start);
            sink.WriteFrames(video.Rgb.AsSpan(start * video.FrameBytes, n * video.FrameBytes));
            start += n;
        }
        sink.Complete();
    }

    private static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    /// <summary>
    /// SHA-256 of the files the whole-video writers (commit 57a928a, before streaming) wrote for <see cref="Video"/>:
    /// the formats whose bytes do not depend on an installed encoder.
    /// </summary>
    [TestCase("a.y4m", "53327888fbc1bdfba8f95bdb177f600105974d83bb86fd99bea874caddfde799")]
    [TestCase("a.gif", "60688d2767304ceafc2c42f30e5109a41154fec27e281fbd0fdaddfc00044e7b")]
    public void StreamedBytesEqualTheWholeVideoWritersBytes(string name, string sha256)
    {
        var path = _dir.Combine(name);
        using (var sink = VideoOutput.Open(path, 9))
        {
            Stream(Video(), sink);
        }
        Assert.That(Sha256(path), Is.EqualTo(sha256));
        Assert.That(Directory.GetFileSystemEntries(_dir.Path), Has.Length.EqualTo(1), "no temporary left");
    }

    [Test]
    public void StreamedPngFramesEqualTheWholeVideoWritersFrames()
    {
        string[] before =
        [
            "491c5763597269f15e6e9a84475b502e5a056009f6df4b0b54e044b6681b4604", "adada90508a95b3aae7f82694cc40a32ce26ea8748c9ae951a54daa6c9d83f42",
            "2fc9cb21d920e02a71d8a4a4ee5f076dfa9bd9b3e75f33aa6a71557b70141f10", "8e66529839982c02e84a0b84a52171ce6fab347dabc988a48cdf0add3e61a554",
            "13bfcf61a8cf07d2d0be3023b27f596d832a6c12607888ff2fd284e84e7b5e8b", "6936ebae0a817b2311a9834bb4e4b7589d3c4cdcfb149671b7748d384db79cde",
            "e0fc1e404194d974a211b3e1728c65c92f2986e51ac58d6f0229c1b2eab94a77", "6b2830ad5e2ca006b0e957cecc70c0c48cb8a3ebfc17ace7d2645f2f0e44dcc6",
            "32a43c93e1c8dee69db91c288df019ea5fc9ac065df29222b8e5aaeec226e53e",
        ];
        using (var sink = VideoOutput.Open(_dir.Combine("seq.png"), 9))
        {
            Stream(Video(), sink);
        }
        var frames = Directory.GetFiles(_dir.Combine("seq")).Order(StringComparer.Ordinal).ToArray();
        Assert.That(frames.Select(Path.GetFileName), Is.EqualTo(Enumerable.Range(0, 9).Select(i => $"seq_{i:D4}.png")));
        Assert.That(frames.Select(Sha256), Is.EqualTo(before));
    }

    [Test]
    public void StreamedMp4EqualsTheWholeVideoMp4()
    {
        if (FfmpegPipe.Find() is null)
        {
            Assert.Ignore("ffmpeg is not on PATH");
        }
        var whole = VideoOutput.Write(Video(), _dir.Combine("whole.mp4"));
        var streamed = _dir.Combine("streamed.mp4");
        using (var sink = VideoOutput.Open(streamed, 9))
        {
            Stream(Video(), sink);
        }
        Assert.That(File.ReadAllBytes(streamed), Is.EqualTo(File.ReadAllBytes(whole)));
    }

    [TestCase("a.y4m")]
    [TestCase("a.gif")]
    [TestCase("a.png")]
    [TestCase("a.mp4")]
    public void DisposingUnfinishedLeavesNothingAndMissingFramesAreRefused(string name)
    {
        if (name.EndsWith(".mp4", StringComparison.Ordinal) && FfmpegPipe.Find() is null)
        {
            Assert.Ignore("ffmpeg is not on PATH");
        }
        var video = Video();
        using (var sink = VideoOutput.Open(_dir.Combine(name), video.Frames))
        {
            sink.Begin(video.Format);
            sink.WriteFrames(video.Rgb.AsSpan(0, 5 * video.FrameBytes));
            Assert.That(Assert.Throws<InvalidOperationException>(sink.Complete)!.Message, Is.EqualTo("5 of the 9 declared frames were written"));
            Assert.Throws<ArgumentException>(() => sink.WriteFrames(video.Rgb.AsSpan(0, 5 * video.FrameBytes)), "more frames than declared");
            Assert.Throws<ArgumentException>(() => sink.WriteFrames(video.Rgb.AsSpan(0, video.FrameBytes - 3)), "not whole frames");
            if (!name.EndsWith(".mp4", StringComparison.Ordinal))
            {
                // ffmpeg creates its file whenever it gets to it; the others create it in Begin.
                Assert.That(Directory.GetFileSystemEntries(_dir.Path), Is.Not.Empty, "the temporary exists while writing");
            }
        }
        Assert.That(Directory.GetFileSystemEntries(_dir.Path), Is.Empty);
    }

    /// <summary>
    /// Managed bytes allocated while streaming <paramref name="frames"/> frames of 128×128 through <paramref name="sink"/>,
    /// fed from one reused 4-frame chunk: what a decode chunk hands over. Everything a writer keeps is allocated here, so
    /// if the total does not grow with the frame count, neither does the peak.
    /// </summary>
    private static long AllocatedWhileStreaming(Func<IVideoSink> open, int frames)
    {
        var format = new VideoFormat(frames, 128, 128, 16);
        var chunk = new byte[4 * format.FrameBytes];
        new Random(5).NextBytes(chunk);
        GC.Collect();
        long before = GC.GetTotalAllocatedBytes(precise: true);
        using (var sink = open())
        {
            sink.Begin(format);
            for (int done = 0; done < frames; done += 4)
            {
                sink.WriteFrames(chunk.AsSpan(0, Math.Min(4, frames - done) * format.FrameBytes));
            }
            sink.Complete();
        }
        return GC.GetTotalAllocatedBytes(precise: true) - before;
    }

    /// <summary>Allocation per frame beyond the 81st: a writer holding its frames pays at least a frame (49 152 bytes) each.</summary>
    private static double GrowthPerFrame(Func<int, IVideoSink> open) =>
        (AllocatedWhileStreaming(() => open(481), 481) - AllocatedWhileStreaming(() => open(81), 81)) / 400.0;

    private const double BoundPerFrame = 128 * 128 * 3 / 8.0;

    [TestCase("a.y4m")]
    [TestCase("a.gif")]
    [TestCase("a.png")]
    [TestCase("a.mp4")]
    public void MemoryDoesNotGrowWithTheFrameCount(string name)
    {
        if (name.EndsWith(".mp4", StringComparison.Ordinal) && FfmpegPipe.Find() is null)
        {
            Assert.Ignore("ffmpeg is not on PATH");
        }
        AllocatedWhileStreaming(() => VideoOutput.Open(_dir.Combine("warm" + Path.GetExtension(name)), 5), 5);
        double growth = GrowthPerFrame(frames => VideoOutput.Open(_dir.Combine(name), frames));
        TestContext.Out.WriteLine($"{name}: {growth:F0} bytes allocated per extra frame of {128 * 128 * 3}");
        Assert.That(growth, Is.LessThan(BoundPerFrame));
    }

    [Test]
    public void TheMemoryCheckFlagsAWriterThatHoldsItsFrames()
    {
        double growth = GrowthPerFrame(_ => new MemoryVideoSink());
        // About one frame (49 152 bytes) each; the runs' own small allocations differ by a few hundred bytes
        // (a CI run measured 49 151.7), so the count is compared with 90% of a frame, not the exact size.
        Assert.That(growth, Is.GreaterThan(0.9 * 128 * 128 * 3));
        Assert.That(growth, Is.Not.LessThan(BoundPerFrame));
    }
}
