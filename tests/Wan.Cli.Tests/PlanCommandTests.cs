using System.Text.Json;
using Wan.Testing;

namespace Wan.Cli.Tests;

/// <summary>
/// `wan plan`: the A14B preset at 720p × 81 fits 80 GB with both experts resident and under the 76 GB target,
/// 48 GB with only the active expert, 24 GB with streamed blocks (PCIe time beside the compute); a budget below
/// that exits 2 with one line giving the shortfall; the JSON carries every stage; bad arguments exit 2 with one line.
/// </summary>
public class PlanCommandTests
{
    private static JsonElement Plan(int expectedExit, params string[] args)
    {
        var (code, stdout, stderr) = CliProcess.Run(["plan", .. args, "--json"]);
        Assert.That(code, Is.EqualTo(expectedExit), stderr);
        return JsonDocument.Parse(stdout).RootElement;
    }

    private static readonly string[] A14B720 = ["--preset", "a14b", "--height", "720", "--width", "1280", "--frames", "81"];

    [Test]
    public void A14B720pFits80GBWithBothExpertsUnderTheTarget()
    {
        var plan = Plan(0, [.. A14B720, "--gpu-memory", "80"]);
        var stages = plan.GetProperty("stages").EnumerateArray().ToList();
        Assert.Multiple(() =>
        {
            Assert.That(plan.GetProperty("residency").GetString(), Is.EqualTo("BothExperts"));
            Assert.That(plan.GetProperty("peakBytes").GetInt64(), Is.LessThanOrEqualTo(76_000_000_000), "the issue's target, reserve included");
            Assert.That(plan.GetProperty("fits").GetBoolean());
            Assert.That(plan.GetProperty("latentShape").EnumerateArray().Select(v => v.GetInt32()), Is.EqualTo(new[] { 16, 21, 90, 160 }));
            Assert.That(plan.GetProperty("tokens").GetInt64(), Is.EqualTo(75_600));
            Assert.That(stages.Select(s => s.GetProperty("stage").GetString()), Is.EqualTo(new[] { "text encode", "high-noise steps", "low-noise steps", "decode" }));
            Assert.That(stages.Select(s => s.GetProperty("source").GetString()), Is.EqualTo(new[] { "recorded", "recorded", "recorded", "recorded" }));
            Assert.That(stages.Sum(s => s.GetProperty("steps").GetInt32()), Is.EqualTo(40));
            Assert.That(plan.GetProperty("expertBytes").EnumerateArray().Select(v => v.GetInt64()), Has.All.InRange(28_000_000_000, 29_000_000_000),
                "14.3 B parameters per expert in BF16");
            foreach (var s in stages.Where(s => s.GetProperty("steps").GetInt32() > 0))
            {
                Assert.That(s.GetProperty("launches").GetInt64(), Is.GreaterThan(1000));
                Assert.That(s.GetProperty("gemms").GetInt64(), Is.GreaterThan(1000));
                Assert.That(s.GetProperty("flops").GetDouble(), Is.GreaterThan(1e17));
                Assert.That(s.GetProperty("secondsPerStep").GetDouble(), Is.InRange(5, 60), "an H100 step of 75,600 tokens: ~14 s at the roofline floor");
                Assert.That(s.GetProperty("pcieSeconds").GetDouble(), Is.Zero, "nothing streams when both experts are resident");
            }
        });
    }

    [TestCase("48", "4090", "ActiveExpert")]
    [TestCase("24", "4090", "StreamedBlocks")]
    public void SmallerGpusFitByStreaming(string memory, string gpu, string residency)
    {
        var plan = Plan(0, [.. A14B720, "--gpu-memory", memory, "--gpu", gpu]);
        var steps = plan.GetProperty("stages").EnumerateArray().Where(s => s.GetProperty("steps").GetInt32() > 0).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(plan.GetProperty("residency").GetString(), Is.EqualTo(residency));
            Assert.That(plan.GetProperty("peakBytes").GetInt64(), Is.LessThanOrEqualTo(long.Parse(memory) * 1_000_000_000));
            Assert.That(steps.Sum(s => s.GetProperty("pcieSeconds").GetDouble()), Is.GreaterThan(0), "weights cross PCIe");
            Assert.That(steps.Sum(s => s.GetProperty("exposedPcieSeconds").GetDouble()),
                Is.LessThan(steps.Sum(s => s.GetProperty("pcieSeconds").GetDouble())), "part of the copy hides behind compute");
        });
    }

    [Test]
    public void OverBudgetExitsTwoWithOneLineGivingTheShortfall()
    {
        var (code, stdout, stderr) = CliProcess.Run(["plan", .. A14B720, "--gpu-memory", "10"]);
        var json = Plan(2, [.. A14B720, "--gpu-memory", "10"]);
        double peakGb = json.GetProperty("peakBytes").GetInt64() / 1e9;
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(2));
            Assert.That(stderr.Trim().Split('\n'), Has.Length.EqualTo(1), stderr);
            Assert.That(stderr, Does.StartWith($"wan: does not fit: needs {peakGb:F1} GB, {peakGb - 10:F1} GB over the 10.0 GB budget even with transformer blocks streamed"));
            Assert.That(stdout, Does.Contain("| high-noise steps | recorded streamed, PCIe modelled |"), "the table is still printed, the streamed stage's peak recorded and its PCIe time labelled modelled");
            Assert.That(json.GetProperty("fits").GetBoolean(), Is.False);
        });
    }

    [Category("Golden")]
    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void AModelDirectoryIsPlannedFromItsConfigsAndHeaders(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        var plan = Plan(0, "--model", set.Diffusers, "--height", "64", "--width", "96", "--frames", "9", "--steps", "4", "--gpu-memory", "2");
        Assert.Multiple(() =>
        {
            Assert.That(plan.GetProperty("residency").GetString(), Is.EqualTo("BothExperts"));
            Assert.That(plan.GetProperty("stages").EnumerateArray().Where(s => s.GetProperty("source").GetString() == "recorded").Sum(s => s.GetProperty("steps").GetInt32()),
                Is.EqualTo(4));
            Assert.That(plan.GetProperty("expertBytes").EnumerateArray().Select(v => v.GetInt64()), Has.All.GreaterThan(0));
            var text = plan.GetProperty("stages")[0];
            Assert.That((text.GetProperty("stage").GetString(), text.GetProperty("source").GetString()), Is.EqualTo(("text encode", "recorded")),
                "the CUDA backend declares the text-encoder family: the dry run records the model's umT5");
            Assert.That(text.GetProperty("gemms").GetInt64(), Is.GreaterThan(0));
            var decode = plan.GetProperty("stages")[3];
            Assert.That((decode.GetProperty("stage").GetString(), decode.GetProperty("source").GetString()), Is.EqualTo(("decode", "recorded")),
                "the CUDA backend declares the VAE family: the dry run records the model's VAE");
            Assert.That(decode.GetProperty("gemms").GetInt64(), Is.GreaterThan(0));
        });
    }

    [TestCase(new[] { "--preset", "a14b", "--model", "." }, "give exactly one of --model DIR and --preset a14b")]
    [TestCase(new[] { "--height", "720" }, "give exactly one of --model DIR and --preset a14b")]
    [TestCase(new[] { "--preset", "a15b" }, "the only preset is a14b")]
    [TestCase(new[] { "--preset", "a14b", "--gpu", "v100" }, "--gpu v100")]
    [TestCase(new[] { "--preset", "a14b", "--gpu-memory", "-3" }, "must be a positive number of GB")]
    [TestCase(new[] { "--preset", "a14b", "--frames", "80" }, "--frames 80")]
    [TestCase(new[] { "--preset", "a14b", "--height", "100" }, "--height 100")]
    [TestCase(new[] { "--model", "/no/such/model" }, "/no/such/model")]
    public void BadArgumentsExitTwoWithOneLine(string[] args, string expected)
    {
        var (code, _, stderr) = CliProcess.Run(["plan", .. args]);
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(2));
            Assert.That(stderr.Trim().Split('\n'), Has.Length.EqualTo(1), stderr);
            Assert.That(stderr, Does.StartWith("wan: ").And.Contains(expected));
        });
    }
}
