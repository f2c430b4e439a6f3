using Wan.Testing;

namespace Wan.Cli.Tests;

/// <summary>
/// `wan generate` on a model with one NaN weight (issue 10, item 4): exit 2, one line naming the step,
/// the expert and the precision, and no video file (before: five black frames and exit 0). Also the
/// placement lines: which component runs where.
/// </summary>
[Category("Golden")]
public class NonFiniteTests
{
    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void ANaNWeightFailsWithOneLineAndWritesNothing(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var model = AlteredModel.Of(set.Diffusers);
        model.Alter("transformer", "proj_out.bias", b => b[0] = float.NaN);
        var dir = Directory.CreateTempSubdirectory("wan-cli-nonfinite-").FullName;
        try
        {
            var output = Path.Combine(dir, "clip.y4m");
            var (code, stdout, stderr) = CliProcess.Run("generate", "--model", model.Path, "--prompt", "a red fox in the snow",
                "--frames", "5", "--height", "32", "--width", "32", "--steps", "3", "--device", "cpu", "--output", output);
            Assert.Multiple(() =>
            {
                Assert.That(code, Is.EqualTo(2), stderr + stdout);
                Assert.That(stderr.Trim(), Does.StartWith("wan: denoising step 1/3 (transformer (high noise), t=").And.Contain("fp32"));
                Assert.That(stderr.Trim().Split('\n'), Has.Length.EqualTo(1), "one line");
                Assert.That(Directory.GetFileSystemEntries(dir), Is.Empty, "no video and no temporary file");
                Assert.That(stdout, Does.Contain("text encoder:").And.Contain("DiT:").And.Contain("VAE:"), "the placement is printed");
            });
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
