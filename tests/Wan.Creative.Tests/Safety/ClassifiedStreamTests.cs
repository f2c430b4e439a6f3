using Wan.Creative.Safety;
using Wan.Runtime.Video;
using Wan.Testing;
using Wan.Testing.Onnx;

namespace Wan.Creative.Tests.Safety;

/// <summary>
/// <see cref="CreativeOutput.Open"/> with a classifier streams the video and keeps only the sampled frames: a refusal
/// names the frame's index in the whole video and leaves nothing behind; a pass writes the bytes of the unclassified writer.
/// </summary>
public class ClassifiedStreamTests
{
    /// <summary>A grey video whose frame <paramref name="redFrame"/> is red, streamed one frame at a time.</summary>
    private static VideoFrames GreyWithRed(int frames, int redFrame)
    {
        var video = TestVideos.Solid(frames, 16, 16, 128, 128, 128);
        var red = video.Rgb.AsSpan(redFrame * video.FrameBytes, video.FrameBytes);
        for (int i = 0; i < red.Length; i += 3)
        {
            (red[i], red[i + 1], red[i + 2]) = (255, 0, 0);
        }
        return video;
    }

    private static void StreamFrameByFrame(VideoFrames video, IVideoSink sink)
    {
        sink.Begin(video.Format);
        for (int f = 0; f < video.Frames; f++)
        {
            sink.WriteFrames(video.Frame(f));
        }
        sink.Complete();
    }

    [Test]
    public void ARefusedStreamNamesTheFrameOfTheWholeVideoAndWritesNothing()
    {
        using var dir = new TempDirectory();
        RednessModel.Write(dir.Combine("redness.onnx"));
        // 9 frames, 3 sampled: 0, 4, 8. Red frame 8 is the third kept copy; its index in the video must be reported.
        using var output = new CreativeOutput(null, FrameClassifier.Open(dir.Combine("redness.onnx"), new FrameClassifierOptions { SampledFrames = 3 }));
        var path = dir.Combine("clip.y4m");
        using (var sink = output.Open(path, 9))
        {
            var refused = Assert.Throws<ContentRefusedException>(() => StreamFrameByFrame(GreyWithRed(9, 8), sink))!;
            Assert.That(refused.Frame, Is.EqualTo(8));
        }
        Assert.That(Directory.GetFiles(dir.Path).Select(Path.GetFileName), Is.EqualTo(new[] { "redness.onnx" }), "no output, no temporary");
    }

    [Test]
    public void AnUnsampledRedFramePassesAndTheBytesAreTheUnclassifiedWritersBytes()
    {
        using var dir = new TempDirectory();
        RednessModel.Write(dir.Combine("redness.onnx"));
        using var output = new CreativeOutput(null, FrameClassifier.Open(dir.Combine("redness.onnx"), new FrameClassifierOptions { SampledFrames = 3 }));
        var video = GreyWithRed(9, 5);
        var path = dir.Combine("clip.y4m");
        using (var sink = output.Open(path, 9))
        {
            StreamFrameByFrame(video, sink);
        }
        var plain = VideoOutput.Write(video, dir.Combine("plain.y4m"));
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(File.ReadAllBytes(plain)));
    }
}
