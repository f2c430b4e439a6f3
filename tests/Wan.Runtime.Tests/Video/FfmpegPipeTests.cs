using Wan.Runtime.Video;

namespace Wan.Runtime.Tests.Video;

/// <summary>The ffmpeg plumbing both MP4 writers share: errors name the target and quote ffmpeg, disposal stops it.</summary>
public class FfmpegPipeTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp()
    {
        if (FfmpegPipe.Find() is null)
        {
            Assert.Ignore("ffmpeg is not on PATH");
        }
        _dir = Directory.CreateTempSubdirectory("wan-ffmpeg-").FullName;
    }

    [TearDown]
    public void TearDown()
    {
        if (_dir is not null)
        {
            Directory.Delete(_dir, true);
        }
    }

    private string[] Arguments(string codec, string output) =>
        ["-hide_banner", "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", "8x8", "-r", "16", "-i", "-", "-c:v", codec, "-f", "mp4", output];

    [Test]
    public void FailureNamesTheTargetAndQuotesFfmpegThroughTheCallersFormatter()
    {
        var output = Path.Combine(_dir, "out.mp4");
        using var pipe = FfmpegPipe.Start(FfmpegPipe.Find()!, Arguments("no-such-codec", output), "clip.mp4", e => "<" + e.Trim() + ">");
        var e = Assert.Throws<IOException>(() =>
        {
            pipe.Write(new byte[8 * 8 * 3]);
            pipe.Finish();
        })!;
        Assert.That(e.Message, Does.StartWith("clip.mp4: ffmpeg "));
        Assert.That(e.Message, Does.Contain("<").And.Contain("no-such-codec").And.EndWith(">"));
    }

    [Test]
    public void DisposingUnfinishedStopsFfmpegAndCancellationIsHonoured()
    {
        var output = Path.Combine(_dir, "out.mp4");
        var pipe = FfmpegPipe.Start(FfmpegPipe.Find()!, Arguments("libx264", output), "clip.mp4", e => e);
        pipe.Write(new byte[8 * 8 * 3 * 4]);
        Assert.Throws<OperationCanceledException>(() => pipe.Write(new byte[8 * 8 * 3], new CancellationToken(true)));
        pipe.Dispose();
        Assert.That(!File.Exists(output) || new FileInfo(output).Length < 100, "a killed ffmpeg does not finish the file");
    }
}
