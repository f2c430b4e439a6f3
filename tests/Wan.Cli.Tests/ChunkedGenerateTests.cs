using System.Text;
using Wan.Testing;

namespace Wan.Cli.Tests;

/// <summary><c>wan generate --preset self-forcing</c> runs chunked generation end to end and writes every frame.</summary>
[Category("Golden")]
public class ChunkedGenerateTests
{
    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void TheSelfForcingPresetWritesAChunkedVideo(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var temp = new TempDirectory();
        var output = temp.Combine("chunked.y4m");
        var (code, stdout, err) = CliProcess.Run(["generate", "--model", set.Diffusers, "--prompt", "a kite over a beach", "--frames", "29",
            "--height", "32", "--width", "32", "--preset", "self-forcing", "--kv-frames", "2", "--sink-frames", "1", "--device", "cpu", "--output", output]);
        Assert.That(code, Is.Zero, $"{stdout}{err}");
        var frames = Encoding.ASCII.GetString(File.ReadAllBytes(output)).Split("FRAME").Length - 1;
        Assert.That(frames, Is.EqualTo(29), "8 latent frames in chunks of 3 (3, 3, 2) decode to 29 video frames");
        Assert.That(Directory.GetFileSystemEntries(temp.Path), Is.EqualTo(new[] { output }), "no temporary file left");
    }
}
