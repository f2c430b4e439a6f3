using Wan.Testing;

namespace Wan.Cli.Tests;

/// <summary>
/// Issue 10 item 2: values are taken literally. A value beginning with '@' is not replaced by a file's
/// contents (System.CommandLine's response files are off), whether it is a prompt or a path.
/// Issue 10 item 6: the printed output path is what the writer produced.
/// </summary>
[Category("Golden")]
public class LiteralValuesTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("wan-literal-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, true);

    private (int Code, string StdOut, string StdErr) Generate(FixtureSet set, string prompt, string output) =>
        CliProcess.RunIn(_dir, null, "generate", "--model", set.Diffusers, "--prompt", prompt, "--frames", "1", "--height", "32", "--width", "32",
            "--steps", "2", "--seed", "5", "--device", "cpu", "--output", output);

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void PromptAndOutputBeginningWithAtAreLiteral(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        // The reported instance: a file 'dog' holding 'husky' beside the command.
        File.WriteAllText(Path.Combine(_dir, "dog"), "husky");

        var atDog = Generate(set, "@dog", "@dog.y4m");
        var husky = Generate(set, "husky", "husky.y4m");

        Assert.That((atDog.Code, husky.Code), Is.EqualTo((0, 0)), atDog.StdErr + husky.StdErr);
        Assert.That(File.Exists(Path.Combine(_dir, "@dog.y4m")), "an output path beginning with '@' is a path");
        Assert.That(File.ReadAllBytes(Path.Combine(_dir, "@dog.y4m")), Is.Not.EqualTo(File.ReadAllBytes(Path.Combine(_dir, "husky.y4m"))),
            "the prompt '@dog' is not the file's content 'husky'");
        Assert.That(File.ReadAllText(Path.Combine(_dir, "dog")), Is.EqualTo("husky"));
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void PromptNamingNoFileIsNotAMissingResponseFile(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        // Another member: '@fox in the snow' used to fail with "Response file not found"; it must reach the
        // request checks like any prompt (here the negative prompt too, and the frames error proves it parsed).
        var (code, _, stderr) = CliProcess.RunIn(_dir, null, "generate", "--model", set.Diffusers, "--prompt", "@fox in the snow",
            "--negative-prompt", "@blurry", "--frames", "8", "--device", "cpu", "--output", "fox.y4m");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr.Trim(), Does.StartWith("wan: --frames 8: must be"));
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void OneFrameToPngWritesAndPrintsThatFile(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        var (code, stdout, stderr) = Generate(set, "a lighthouse", "still.png");
        var still = Path.Combine(_dir, "still.png");

        Assert.That(code, Is.Zero, stderr + stdout);
        // Spectre colours and wraps the line: compare the plain words.
        var plain = System.Text.RegularExpressions.Regex.Replace(stdout, "\u001b\\[[0-9;]*m", "");
        var text = string.Join(" ", plain.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries));
        Assert.That(text, Does.Contain($"wrote {still}:"), "the path printed is the file written");
        Assert.That(stdout, Does.Contain(RefusalTests.LoadingMarker + set.Diffusers), "the marker the refusal tests look for appears when the model loads");
        Assert.That(File.ReadAllBytes(still).Take(4), Is.EqualTo(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }));
        Assert.That(Directory.Exists(Path.Combine(_dir, "still")), Is.False, "no frame folder for one frame");
    }
}
