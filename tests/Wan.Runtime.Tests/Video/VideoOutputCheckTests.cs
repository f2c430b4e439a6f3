using Wan.Errors;
using Wan.Runtime.IO;
using Wan.Testing;
using Wan.Runtime.Video;

namespace Wan.Runtime.Tests.Video;

/// <summary>
/// Every output problem that needs only the path is found by <see cref="VideoOutput.Check"/> before any
/// work, naming the output and never a temporary; writers return what they wrote.
/// </summary>
public class VideoOutputCheckTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("wan-output-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, true);

    private static VideoFrames Video(int frames)
    {
        var r = new RandomData();
        return VideoFrames.FromChannelsFirst(r.Normal(3 * frames * 8 * 8, 0.7f), frames, 8, 8);
    }

    [Test]
    public void OneFrameToPngIsThatFile()
    {
        var path = Path.Combine(_dir, "still.png");
        Assert.That(VideoOutput.Check(path, 1), Is.EqualTo(path));
        var written = VideoOutput.Write(Video(1), path);
        Assert.That(written, Is.EqualTo(path));
        Assert.That(File.ReadAllBytes(path).Take(4), Is.EqualTo(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }));
        Assert.That(Directory.GetFileSystemEntries(_dir), Is.EqualTo(new[] { path }), "nothing else written");
    }

    [Test]
    public void SeveralFramesToPngAreAFolderAndThatIsWhatIsReturned()
    {
        var path = Path.Combine(_dir, "clip.png");
        var folder = Path.Combine(_dir, "clip");
        Assert.That(VideoOutput.Check(path, 3), Is.EqualTo(folder));
        Assert.That(VideoOutput.Write(Video(3), path), Is.EqualTo(folder));
        Assert.That(Directory.GetFiles(folder).Select(Path.GetFileName).Order(), Is.EqualTo(new[] { "clip_0000.png", "clip_0001.png", "clip_0002.png" }));
    }

    [TestCase("clip.y4m", "MissingFolder", "the folder {dir}/missing does not exist")]
    [TestCase("clip.y4m", "OutputIsAFolder", "is a folder; give a file name such as clip.y4m")]
    [TestCase("clip.gif", "ParentIsAFile", "{dir}/file is a file, not a folder")]
    [TestCase("clip.avi", "UnknownFormat", "unknown video format '.avi' (use .mp4, .y4m, .gif, .png)")]
    [TestCase("clip.png", "FrameFolderNameIsAFile", "5 frames go to the folder {dir}/clip, but a file has that name")]
    public void UnwritableOutputIsNamedBeforeAnyWork(string name, string situation, string expected)
    {
        var path = situation switch
        {
            "MissingFolder" => Path.Combine(_dir, "missing", name),
            "OutputIsAFolder" => Directory.CreateDirectory(Path.Combine(_dir, name)).FullName,
            "ParentIsAFile" => Path.Combine(_dir, "file", name),
            _ => Path.Combine(_dir, name),
        };
        if (situation == "ParentIsAFile")
        {
            File.WriteAllText(Path.Combine(_dir, "file"), "x");
        }
        if (situation == "FrameFolderNameIsAFile")
        {
            File.WriteAllText(Path.Combine(_dir, "clip"), "x");
        }
        var before = Directory.GetFileSystemEntries(_dir).Order().ToArray();

        var e = Assert.Throws<RequestException>(() => VideoOutput.Check(path, 5))!;

        Assert.That(e.Format("--"), Is.EqualTo($"--output {path}: {expected.Replace("{dir}", _dir, StringComparison.Ordinal)}"));
        Assert.That(Directory.GetFileSystemEntries(_dir).Order(), Is.EqualTo(before), "the check writes nothing");
    }

    [TestCase("")]
    [TestCase("  ")]
    public void EmptyOutputIsNamed(string path)
    {
        var expected = $"--output{(path.Length > 0 ? " " + path : "")}: is empty: give a file name such as clip.mp4";
        Assert.That(Assert.Throws<RequestException>(() => VideoOutput.Check(path, 1))!.Format("--"), Is.EqualTo(expected));
        Assert.That(Assert.Throws<RequestException>(() => VideoOutput.Write(Video(1), path))!.Format("--"), Is.EqualTo(expected));
    }

    [Test]
    public void FolderWhereNoFileCanBeCreatedIsFoundByTheCheck()
    {
        // /proc accepts no new files, even for root (for whom permission bits do not stop a write).
        var e = Assert.Throws<RequestException>(() => VideoOutput.Check("/proc/wan-clip.y4m", 1))!;
        Assert.That(e.Message, Does.StartWith("output /proc/wan-clip.y4m: cannot create files in /proc (").And.Not.Contain(".partial-"));
    }

    [Test]
    public void FfmpegFailureNamesTheOutputNotTheTemporary()
    {
        if (FfmpegPipe.Find() is null)
        {
            Assert.Ignore("ffmpeg not installed (Debian package 'ffmpeg')");
        }
        // ffmpeg names the file it could not open (its temporary); the error must name the output instead.
        var e = Assert.Throws<IOException>(() => VideoOutput.Write(Video(2), "/proc/wan-clip.mp4"))!;
        Assert.That(e.Message, Is.EqualTo("/proc/wan-clip.mp4: ffmpeg failed with exit code 1: /proc/wan-clip.mp4: No such file or directory").Or.StartWith("/proc/wan-clip.mp4: ffmpeg stopped reading frames"));
        Assert.That(e.Message, Does.Not.Contain(".partial-"));

        // H.264 in yuv420p needs even sizes: ffmpeg refuses 7x9 frames after creating its file, which is removed.
        var r = new RandomData();
        var odd = VideoFrames.FromChannelsFirst(r.Normal(3 * 2 * 9 * 7, 0.7f), 2, 9, 7);
        var path = Path.Combine(_dir, "clip.mp4");
        Assert.That(Assert.Throws<IOException>(() => VideoOutput.Write(odd, path))!.Message, Does.StartWith(path + ": ffmpeg"));
        Assert.That(Directory.GetFileSystemEntries(_dir), Is.Empty, "nothing left behind");
    }

    [Test]
    public void WriteFailureNamesTheOutputNotTheTemporary()
    {
        var path = Path.Combine(_dir, "gone", "clip.y4m");
        var e = Assert.Throws<IOException>(() => AtomicOutput.WriteFile(path, s => s.WriteByte(1)))!;
        Assert.That(e.Message, Does.StartWith(path).And.Not.Contain(".partial-"));
    }
}
