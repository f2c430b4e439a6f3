namespace Wan.Cli.Tests;

/// <summary><c>wan plan --vae-memory GB</c>: the decode row names its tiles; a budget no tiling fits, or one that is not positive, is one line and exit 2.</summary>
public sealed class PlanVaeMemoryTests
{
    private static readonly string[] A14B720x17 = ["plan", "--preset", "a14b", "--height", "720", "--width", "1280", "--frames", "17", "--steps", "2"];

    [Test]
    public void TheDecodeRowNamesTheTilesTheBudgetPicks()
    {
        var (code, stdout, stderr) = CliProcess.Run([.. A14B720x17, "--vae-memory", "2"]);
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(0), stderr);
            Assert.That(stdout, Does.Match(@"\| decode, tiles of \d+ \| recorded \|"));
        });
    }

    [TestCase("0.2", "--vae-memory 0.2 GB: too small to decode a 90×160 latent (720×1280 video, 5 latent frames): the least any tiling needs is")]
    [TestCase("0", "--vae-memory 0: must be a positive number of GB")]
    public void ABudgetNoTilingFitsIsOneLine(string gb, string expected)
    {
        var (code, stdout, stderr) = CliProcess.Run([.. A14B720x17, "--vae-memory", gb]);
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(2));
            Assert.That(stderr.Trim().Split('\n'), Has.Length.EqualTo(1), stderr);
            Assert.That(stderr, Does.Contain(expected));
            Assert.That(stdout, Does.Not.Contain("| decode"));
        });
    }
}
