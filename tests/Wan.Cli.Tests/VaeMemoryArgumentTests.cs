using Wan.Testing;

namespace Wan.Cli.Tests;

/// <summary>
/// <c>wan generate --vae-memory GB</c> / <c>--vae-tile N</c>: refused before the model loads (one line) when both are given, when the
/// budget is not positive or no tiling fits (naming the least one), when the tile is under the minimum; on the fixture (CPU) a budget
/// under the whole-frame peak picks a tiling, says so, and the video is written.
/// </summary>
[Category("Golden")]
public sealed class VaeMemoryArgumentTests
{
    private static string[] Args(FixtureSet set, string output, params string[] extra) =>
    [
        "generate", "--model", set.Diffusers, "--prompt", "a red fox in the snow", "--frames", "5", "--width", "192", "--height", "128",
        "--steps", "2", "--seed", "5", "--device", "cpu", "--output", output, .. extra,
    ];

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void BadBudgetsAndTilesAreOneLineBeforeLoading(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        var output = Path.Combine(Path.GetTempPath(), $"wan-vae-memory-{Guid.NewGuid():N}.y4m");
        foreach (var (extra, expected) in new (string[], string)[]
        {
            (["--vae-memory", "1", "--vae-tile", "8"], "--vae-memory 1 --vae-tile 8: give one"),
            (["--vae-memory", "0"], "--vae-memory 0: must be a positive number of GB"),
            (["--vae-memory", "0.000001"], "too small to decode a 16×24 latent (128×192 video, 2 latent frames): the least any tiling needs is"),
            (["--vae-tile", "3"], "--vae-tile 3: must be at least 8 latent pixels"),
        })
        {
            var run = CliProcess.Run(Args(set, output, extra));
            Assert.Multiple(() =>
            {
                Assert.That(run.ExitCode, Is.EqualTo(2), run.StdErr);
                Assert.That(run.StdErr.Trim().Split('\n'), Has.Length.EqualTo(1), run.StdErr);
                Assert.That(run.StdErr, Does.Contain(expected));
                Assert.That(run.StdOut, Does.Not.Contain(RefusalTests.LoadingMarker), "refused before loading");
                Assert.That(File.Exists(output), Is.False);
            });
        }
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void ABudgetUnderTheWholeFramePeakTilesTheDecode(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var dir = new TempDirectory();
        var output = Path.Combine(dir.Path, "tiled.y4m");
        // The fixture VAE decoding a 16×24 latent of 2 frames in fp32: tiles of 8 need 14 MB (modelled), larger tiles more; 22 MB asks for tiles.
        var run = CliProcess.Run(Args(set, output, "--vae-memory", "0.022"));
        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(0), run.StdErr);
            Assert.That(run.StdOut, Does.Match(@"VAE decode: tiles of \d+ latent pixels, overlap \d+, to fit --vae-memory 0\.022 GB \(modelled\)"));
            Assert.That(new FileInfo(output).Length, Is.GreaterThan(0));
        });
    }
}
