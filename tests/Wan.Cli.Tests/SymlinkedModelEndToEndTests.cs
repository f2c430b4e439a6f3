using Wan.Testing;

namespace Wan.Cli.Tests;

/// <summary>
/// Issue 10.1 as reported: `wan generate --model` on a Hugging Face hub-cache snapshot (every file a
/// relative link into blobs/) writes the same video, byte for byte, as on the plain folder.
/// </summary>
[Category("Golden")]
public class SymlinkedModelEndToEndTests
{
    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void ASnapshotGeneratesTheSameVideoAsThePlainFolder(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        var root = Directory.CreateTempSubdirectory("wan-cli-links-").FullName;
        try
        {
            AssertSameVideo(set, root);
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    private static void AssertSameVideo(FixtureSet set, string root)
    {
        var snapshot = HubCacheSnapshot.Create(set.Diffusers, Path.Combine(root, "hub"));
        byte[] Generate(string model, string output)
        {
            var (code, stdout, stderr) = CliProcess.Run("generate", "--model", model, "--prompt", "a red fox in the snow",
                "--frames", "5", "--height", "32", "--width", "32", "--steps", "2", "--seed", "5", "--device", "cpu", "--output", output);
            Assert.That(code, Is.Zero, stderr + stdout);
            return File.ReadAllBytes(output);
        }
        var plain = Generate(set.Diffusers, Path.Combine(root, "plain.y4m"));
        var linked = Generate(snapshot, Path.Combine(root, "linked.y4m"));
        Assert.That(linked, Is.EqualTo(plain), "the same Y4M bytes");
        Assert.That(plain.Length, Is.GreaterThan(5 * 32 * 32), "five frames written");
    }
}
