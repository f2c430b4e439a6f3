using Wan.Testing;

namespace Wan.Cli.Tests;

/// <summary>Chunked-generation and long-video option mistakes are one line on stderr, found before the model loads.</summary>
public class LongVideoArgumentTests
{
    private static string[] Args(string model, params string[] extra) =>
        ["generate", "--model", model, "--prompt", "a cat", "--output", Path.Combine(Path.GetTempPath(), "wan-longvideo-test.y4m"),
            "--height", "64", "--width", "64", .. extra];

    private static void AssertRefusedBeforeLoading(string[] args, string expected)
    {
        var (code, stdout, err) = CliProcess.Run(args);
        Assert.That(code, Is.EqualTo(2), err);
        Assert.That(err.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(1), err);
        Assert.That(err, Does.StartWith("wan: " + expected));
        Assert.That(stdout, Does.Not.Contain("loading the model from "));
    }

    [TestCase("--chunk-frames 0", "--chunk-frames 0: must be at least 1 latent frame")]
    [TestCase("--kv-frames 4", "--kv-frames 4: needs --chunk-frames")]
    [TestCase("--sink-frames 1", "--sink-frames 1: needs --chunk-frames")]
    [TestCase("--chunk-frames 3 --kv-frames 2 --sink-frames 2", "--sink-frames 2: must be at least 0 and fewer than --kv-frames (2)")]
    [TestCase("--chunk-frames 3 --attention-window 2", "--attention-window 2: cannot be combined with --chunk-frames")]
    [TestCase("--chunk-frames 3 --cache 0.1", "--cache 0.1: cannot be combined with --chunk-frames")]
    public void BadChunkOptionsAreOneClearLine(string options, string expected) =>
        AssertRefusedBeforeLoading(Args(Path.GetTempPath(), ["--frames", "9", .. options.Split(' ')]), expected);

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    [Category("Golden")]
    public void OptionsThatNeedTheModelAreRefusedBeforeLoading(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        AssertRefusedBeforeLoading(Args(set.Diffusers, "--frames", "241", "--cache", "0.1"), "--cache 0.1: cannot be combined with 5 context windows");
        AssertRefusedBeforeLoading(Args(set.Diffusers, "--frames", "9", "--chunk-frames", "4"), "--chunk-frames 4: must be at most the video's 3 latent frames");
        AssertRefusedBeforeLoading(Args(set.Diffusers, "--frames", "241", "--chunk-frames", "3", "--window", "241"), "--window (given): cannot be combined with --chunk-frames");
    }
}
