using Wan.Testing;

namespace Wan.Cli.Tests;

/// <summary>`wan styles list|show` and `wan generate --style/--preset/--cache` on a styles folder built from the fixture's LoRA files.</summary>
[Category("Golden")]
public class StylesCommandTests
{
    private string _dir = "";
    private FixtureSet _set = null!;

    [SetUp]
    public void CreateFolder()
    {
        _set = Fixtures.Require(Fixtures.Sets.FirstOrDefault());
        _dir = Directory.CreateTempSubdirectory("wan-cli-styles-").FullName;
        var lora = Directory.GetFiles(Path.Combine(_set.Directory, "lora"), "*.safetensors").Order(StringComparer.Ordinal).First();
        File.Copy(lora, Path.Combine(_dir, "style_lora.safetensors"));
        File.WriteAllText(Path.Combine(_dir, "ink.json"), """
            { "name": "ink", "description": "ink wash", "loras": [ { "file": "style_lora.safetensors", "strength": 0.7, "expert": "low" } ],
              "trigger_words": ["inkwash"] }
            """);
        File.WriteAllText(Path.Combine(_dir, "fast.json"), """
            { "name": "fast", "description": "4-step lightning", "prompt_prefix": "cinematic", "recommended": { "preset": "lightning" } }
            """);
        File.WriteAllText(Path.Combine(_dir, "slow.json"), """
            { "name": "slow", "recommended": { "sampler": "dpm++", "steps": 3, "guidance": 5 } }
            """);
        File.WriteAllText(Path.Combine(_dir, "broken.json"), """{ "name": "broken", "recommended": { "steps": -3 } }""");
    }

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_dir, true);

    [Test]
    public void ListShowsValidStylesAndSaysWhyOthersAreRefused()
    {
        var (code, stdout, stderr) = CliProcess.Run("styles", "list", "--styles", _dir);
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("fast\t4-step lightning\t0 LoRA(s); sampler step-distill; steps 4; guidance 1,1; shift 5"));
        Assert.That(stdout, Does.Contain("ink\tink wash\t1 LoRA(s)"));
        Assert.That(stdout, Does.Not.Contain("broken"));
        Assert.That(stderr.Trim(), Does.StartWith("wan: style 'broken' refused: ").And.Contain("recommended.steps must be an integer"));
    }

    [Test]
    public void ShowPrintsTheLorasWithTheirFormatAndUnknownNamesFail()
    {
        var (code, stdout, stderr) = CliProcess.Run("styles", "show", "ink", "--styles", _dir);
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain($"lora:            {Path.Combine(_dir, "style_lora.safetensors")} strength 0.7 expert low ("));
        Assert.That(stdout, Does.Contain("trigger words:   inkwash"));

        (code, _, stderr) = CliProcess.Run("styles", "show", "broken", "--styles", _dir);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr.Trim(), Does.StartWith("wan: style 'broken'").And.Contain("manifest is invalid"));
        Assert.That(stderr.Trim().Split('\n'), Has.Length.EqualTo(1), "one line");
    }

    [Test]
    public void WithoutAFolderTheCommandSaysHowToGiveOne()
    {
        var (code, _, stderr) = CliProcess.Run("styles", "list");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr.Trim(), Is.EqualTo("wan: --styles: no styles folder: pass --styles DIR or set WAN_STYLES"));
    }

    [Test]
    public void GenerateWithAStyleUsesItsPresetAndExplicitOptionsWin()
    {
        var output = Path.Combine(_dir, "clip.y4m");
        string[] common = ["generate", "--model", _set.Diffusers, "--prompt", "a lantern", "--frames", "5", "--height", "32", "--width", "32",
            "--device", "cpu", "--style", "fast", "--styles", _dir, "--output", output];
        var (code, stdout, stderr) = CliProcess.Run([.. common, "--cache", "0.8"]);
        Assert.That(code, Is.Zero, stderr + stdout);
        Assert.That(File.Exists(output), Is.True);
        Assert.That(stdout, Does.Contain("of 4 DiT forwards skipped"), "lightning: 4 steps, one forward each");

        (code, _, stderr) = CliProcess.Run([.. common, "--steps", "8"]);
        Assert.That(code, Is.EqualTo(2), "explicit --steps 8 wins over the style's 4, and the distill sampler refuses it");
        Assert.That(stderr.Trim(), Is.EqualTo("wan: --steps 8: the step-distill sampler takes the 4 steps of its step list [1000, 750, 500, 250]"));

        (code, stdout, stderr) = CliProcess.Run("generate", "--model", _set.Diffusers, "--prompt", "a lantern", "--frames", "5", "--height", "32",
            "--width", "32", "--device", "cpu", "--preset", "lightning", "--cache", "0", "--output", output);
        Assert.That(code, Is.Zero, stderr + stdout);
        Assert.That(stdout, Does.Contain("0 of 4 DiT forwards skipped"), "--preset lightning without a style: 4 steps, no CFG");

        (code, stdout, stderr) = CliProcess.Run("generate", "--model", _set.Diffusers, "--prompt", "a lantern", "--frames", "5", "--height", "32",
            "--width", "32", "--device", "cpu", "--style", "slow", "--styles", _dir, "--cache", "0", "--output", output);
        Assert.That(code, Is.Zero, stderr + stdout);
        Assert.That(stdout, Does.Contain("0 of 6 DiT forwards skipped"), "the style's 3 steps with CFG");

        (code, stdout, stderr) = CliProcess.Run("generate", "--model", _set.Diffusers, "--prompt", "a lantern", "--frames", "5", "--height", "32",
            "--width", "32", "--device", "cpu", "--style", "slow", "--styles", _dir, "--preset", "lightning", "--cache", "0", "--output", output);
        Assert.That(code, Is.Zero, stderr + stdout);
        Assert.That(stdout, Does.Contain("0 of 4 DiT forwards skipped"), "--preset on the command line wins over the style's sampler, steps and guidance");

        (code, stdout, stderr) = CliProcess.Run("generate", "--model", _set.Diffusers, "--prompt", "a lantern", "--frames", "5", "--height", "32",
            "--width", "32", "--steps", "2", "--device", "cpu", "--style", "ink", "--styles", _dir, "--output", output);
        Assert.That(code, Is.Zero, "a style's LoRA is stacked onto the request and applied: " + stderr + stdout);

        (code, stdout, stderr) = CliProcess.Run([.. common, "--cache", "-1"]);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr.Trim(), Is.EqualTo("wan: --cache -1: must be a finite number >= 0"));
        Assert.That(stdout, Does.Not.Contain("loading the model"), "refused before the model loads");
    }

    [Test]
    public void AStylesLorasAreAppliedAsTheSameLoraOnTheCommandLine()
    {
        File.WriteAllText(Path.Combine(_dir, "plain.json"), """
            { "name": "plain", "loras": [ { "file": "style_lora.safetensors", "strength": 0.7, "expert": "low" } ] }
            """);
        byte[] Generate(string name, params string[] extra)
        {
            var output = Path.Combine(_dir, name);
            var (code, stdout, stderr) = CliProcess.Run([.. new[] { "generate", "--model", _set.Diffusers, "--prompt", "a lantern", "--frames", "5",
                "--height", "32", "--width", "32", "--steps", "4", "--device", "cpu", "--output", output }, .. extra]);
            Assert.That(code, Is.Zero, stderr + stdout);
            return File.ReadAllBytes(output);
        }
        var styled = Generate("styled.y4m", "--style", "plain", "--styles", _dir);
        var given = Generate("given.y4m", "--lora", Path.Combine(_dir, "style_lora.safetensors") + ":0.7:low");
        var plain = Generate("base.y4m");
        Assert.That(styled, Is.EqualTo(given), "the style's LoRA is the --lora FILE:0.7:low of the same file");
        Assert.That(styled, Is.Not.EqualTo(plain), "and it changes the video");
    }
}
