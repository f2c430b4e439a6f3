namespace Wan.Cli.Tests;

/// <summary>
/// A value that is not of its option's type is one line in words ("not a number", "not a whole number from ... to ..."), naming the
/// option and value, never System.CommandLine's .NET type name (<c>System.Nullable`1[System.Double]</c>); the help hint names the
/// command that was run. No model is needed: the parser refuses first.
/// </summary>
public sealed class ParseErrorWordingTests
{
    [TestCase("generate", "--vae-memory", "abc", "--vae-memory abc: not a number", "(see 'wan generate --help')")]
    [TestCase("generate", "--vae-tile", "1.5", "--vae-tile 1.5: not a whole number from -2,147,483,648 to 2,147,483,647", "(see 'wan generate --help')")]
    [TestCase("generate", "--vae-tile", "99999999999", "--vae-tile 99999999999: not a whole number", "(see 'wan generate --help')")]
    [TestCase("generate", "--cache", "lots", "--cache lots: not a number", "(see 'wan generate --help')")]
    [TestCase("generate", "--chunk-frames", "two", "--chunk-frames two: not a whole number", "(see 'wan generate --help')")]
    [TestCase("generate", "--seed", "x", "--seed x: not a whole number (64-bit)", "(see 'wan generate --help')")]
    [TestCase("plan", "--gpu-memory", "24GB", "--gpu-memory 24GB: not a number", "(see 'wan plan --help')")]
    [TestCase("plan", "--height", "720p", "--height 720p: not a whole number", "(see 'wan plan --help')")]
    public void ATypedOptionWithAnUnreadableValueIsNamedInWords(string command, string option, string value, string expected, string hint)
    {
        string[] required = command == "generate" ? ["--model", "m", "--prompt", "p", "--output", "o.y4m"] : ["--preset", "a14b"];
        var (code, stdout, stderr) = CliProcess.Run([command, .. required, option, value]);
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(2), stderr);
            Assert.That(stderr.Trim().Split('\n'), Has.Length.EqualTo(1), stderr);
            Assert.That(stderr, Does.StartWith($"wan: {expected}"));
            Assert.That(stderr.TrimEnd(), Does.EndWith(hint));
            Assert.That(stderr, Does.Not.Contain("System."));
            Assert.That(stdout, Is.Empty);
        });
    }

    [Test]
    public void AnErrorBeforeAnyCommandPointsAtTheProgramsHelp()
    {
        var (code, _, stderr) = CliProcess.Run("--bogus");
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(2));
            Assert.That(stderr.TrimEnd(), Does.EndWith("(see 'wan --help')"));
        });
    }
}
