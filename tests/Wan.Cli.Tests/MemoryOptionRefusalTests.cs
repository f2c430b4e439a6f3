using Wan.Testing;

namespace Wan.Cli.Tests;

/// <summary>
/// The options given in GB (<c>wan generate --vae-memory</c>, <c>wan plan --vae-memory</c> and <c>--gpu-memory</c>) as a new user types
/// them: bytes for GB, words, NaN, negatives, sub-byte values. Each is one line naming the option and what is wrong, exit 2, before the
/// model loads, with no .NET type name and no budget shown as "0 GB".
/// </summary>
[Category("Golden")]
public sealed class MemoryOptionRefusalTests
{
    private static readonly (string Value, string Problem)[] BadValues =
    [
        ("1e9", "1000000000: more than 100,000 GB: the unit is GB, not bytes"),
        ("abc", "abc: not a number"),
        ("NaN", "NaN: must be a positive number of GB"),
        ("-1", "-1: must be a positive number of GB"),
        ("0", "0: must be a positive number of GB"),
        ("1e-12", "1E-12: less than one byte"),
    ];

    private static IEnumerable<TestCaseData> Commands()
    {
        foreach (var set in Fixtures.Sets)
        {
            foreach (var option in new[] { "--vae-memory" })
            {
                yield return new TestCaseData(set.Name, "generate", option).SetName($"{set.Name} generate {option}");
            }
            foreach (var option in new[] { "--vae-memory", "--gpu-memory" })
            {
                yield return new TestCaseData(set.Name, "plan", option).SetName($"{set.Name} plan {option}");
            }
        }
    }

    private static string[] Args(FixtureSet set, string command, string output) => command == "generate"
        ? ["generate", "--model", set.Diffusers, "--prompt", "a fox", "--frames", "5", "--height", "48", "--width", "64", "--steps", "2", "--device", "cpu", "--output", output]
        : ["plan", "--model", set.Diffusers, "--frames", "5", "--height", "48", "--width", "64", "--steps", "2"];

    [TestCaseSource(nameof(Commands))]
    public void EveryBadGigabyteValueIsOneLineNamingTheOption(string setName, string command, string option)
    {
        var set = Fixtures.Sets.Single(s => s.Name == setName);
        using var dir = new TempDirectory();
        var output = dir.Combine("never.y4m");
        foreach (var (value, problem) in BadValues)
        {
            var (code, stdout, stderr) = CliProcess.Run([.. Args(set, command, output), option, value]);
            Assert.Multiple(() =>
            {
                Assert.That(code, Is.EqualTo(2), $"{option} {value}: {stderr}");
                Assert.That(stderr.Trim().Split('\n'), Has.Length.EqualTo(1), stderr);
                Assert.That(stderr, Does.StartWith($"wan: {option} {problem}"), $"{option} {value}");
                Assert.That(stderr, Does.Not.Contain("System."), "no .NET type names");
                Assert.That(stdout, Does.Not.Contain(RefusalTests.LoadingMarker), "refused before loading");
                Assert.That(stdout, Does.Not.Contain("| decode"), "no plan printed");
                Assert.That(Directory.EnumerateFileSystemEntries(dir.Path), Is.Empty, "nothing written");
            });
        }
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void ATooSmallBudgetShowsTheValueGivenNotZero(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        // 0.0001 GB (100 kB) is below any decode's least; "0.###" used to print it as "0 GB".
        var (code, _, stderr) = CliProcess.Run([.. Args(set, "plan", ""), "--vae-memory", "0.0001"]);
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(2), stderr);
            Assert.That(stderr, Does.StartWith("wan: --vae-memory 0.0001 GB: too small to decode"));
        });
    }
}
