using Wan.Testing;

namespace Wan.Cli.Tests;

/// <summary>
/// <c>wan generate --experts-resident active</c> on the emulated device writes the same video bytes as <c>both</c>
/// (the VAE on the CPU while CUDA lacks its family: the explicit route the strict rule asks for).
/// </summary>
[Category("Golden")]
[Category("Emulated")]
public sealed class ExpertsResidentTests
{
    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void ActiveWritesTheSameVideoAsBoth(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        var dir = Directory.CreateTempSubdirectory("wan-resident-").FullName;
        try
        {
            string[] Args(string residency) =>
            [
                "generate", "--model", set.Diffusers, "--prompt", "a red fox in the snow", "--frames", "5", "--width", "32", "--height", "32",
                "--steps", "4", "--seed", "5", "--device", "cuda-emulated", "--vae-device", "cpu",
                "--experts-resident", residency, "--output", Path.Combine(dir, residency + ".y4m"),
            ];
            var both = CliProcess.Run(Args("both"));
            var active = CliProcess.Run(Args("active"));
            Assert.Multiple(() =>
            {
                Assert.That(both.ExitCode, Is.EqualTo(0), both.StdErr);
                Assert.That(active.ExitCode, Is.EqualTo(0), active.StdErr);
            });
            var expected = File.ReadAllBytes(Path.Combine(dir, "both.y4m"));
            Assert.That(expected, Has.Length.GreaterThan(0));
            Assert.That(File.ReadAllBytes(Path.Combine(dir, "active.y4m")), Is.EqualTo(expected), "the video bytes");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
