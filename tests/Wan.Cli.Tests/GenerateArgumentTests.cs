using Wan.Testing;

namespace Wan.Cli.Tests;

/// <summary>Bad arguments give one clear line on stderr and a non-zero exit code, before any model is loaded.</summary>
public class GenerateArgumentTests
{
    private static readonly string ExistingDir = Path.GetTempPath();

    private static string[] Args(params string[] overrides)
    {
        var args = new Dictionary<string, string>
        {
            ["--model"] = ExistingDir,
            ["--prompt"] = "a cat",
            ["--output"] = Path.Combine(Path.GetTempPath(), "wan-cli-test.y4m"),
            ["--frames"] = "9",
            ["--height"] = "64",
            ["--width"] = "64",
        };
        for (int i = 0; i < overrides.Length; i += 2)
        {
            args[overrides[i]] = overrides[i + 1];
        }
        return ["generate", .. args.SelectMany(kv => new[] { kv.Key, kv.Value })];
    }

    [TestCase("--width", "0", "--width 0: must be a positive number of pixels")]
    [TestCase("--steps", "0", "--steps 0: must be 1 to 1000")]
    [TestCase("--guidance", "3,x", "--guidance '3,x'")]
    [TestCase("--output", "/tmp/video.avi", "--output /tmp/video.avi: unknown video format")]
    [TestCase("--model", "/nonexistent/model", "--model /nonexistent/model: does not exist")]
    [TestCase("--overlap", "81", "--overlap 81: must be at least 0 and shorter than the window (81 frames)")]
    [TestCase("--attention-window", "-1", "--attention-window -1: must be at least 0 latent frames")]
    public void BadValueGivesOneClearLine(string option, string value, string expected)
    {
        var (code, _, err) = CliProcess.Run(Args(option, value));
        Assert.That(code, Is.EqualTo(2));
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(1), err);
        Assert.That(lines[0], Does.StartWith("wan: ").And.Contain(expected));
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    [Category("Golden")]
    public void SizesThatDoNotFitTheModelAreOneClearLine(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        foreach (var (option, value, expected) in new[] { ("--frames", "8", "--frames 8: must be 4k+1"), ("--height", "100", "--height 100: must be a multiple of 16") })
        {
            var (code, _, err) = CliProcess.Run(Args("--model", set.Diffusers, option, value));
            Assert.That(code, Is.EqualTo(2));
            Assert.That(err.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(1), err);
            Assert.That(err, Does.StartWith("wan: " + expected));
        }
    }

    [TestCase("--lora-mode", "foo")]
    [TestCase("--experts-resident", "some")]
    [TestCase("--lora-deltas", "foo")]
    [TestCase("--preset", "foo")]
    [TestCase("--device", "foo")]
    public void AValueOutsideAnOptionsListNamesTheOption(string option, string value)
    {
        var (code, _, err) = CliProcess.Run(Args(option, value));
        Assert.That(code, Is.EqualTo(2));
        Assert.That(err.Trim(), Does.StartWith($"wan: {option}: Argument '{value}' not recognized"));
    }

    [Test]
    public void StepsTheSolverCannotTakeAreRefusedBeforeLoading()
    {
        foreach (var (args, expected) in new[]
                 {
                     (Args("--solver", "step-distill"), "wan: --steps 40: the step-distill sampler takes the 4 steps"),
                     (Args("--preset", "lightning", "--steps", "2"), "wan: --steps 2: the step-distill sampler takes the 4 steps"),
                 })
        {
            var (code, stdout, err) = CliProcess.Run(args);
            Assert.That(code, Is.EqualTo(2), err);
            Assert.That(err.Trim(), Does.StartWith(expected).And.Not.Contain("\n"));
            Assert.That(stdout, Does.Not.Contain(RefusalTests.LoadingMarker));
        }
    }

    [Test]
    public void StyleProblemsThatNeedNoModelAreOneLine()
    {
        using var dir = new TempDirectory();
        var noFolder = new Dictionary<string, string> { ["WAN_STYLES"] = "" };
        var (code, _, err) = CliProcess.RunIn(null, noFolder, Args("--style", "ink"));
        Assert.That((code, err.Trim()), Is.EqualTo((2, "wan: --styles: no styles folder: pass --styles DIR or set WAN_STYLES")));

        (code, _, err) = CliProcess.Run(Args("--styles", dir.Path));
        Assert.That((code, err.Trim()), Is.EqualTo((2, $"wan: --styles {dir.Path}: has no effect without --style NAME")));

        var manifest = dir.Combine("ink.json");
        File.WriteAllText(manifest, "{}");
        (code, _, err) = CliProcess.Run("styles", "list", "--styles", manifest);
        Assert.That((code, err.Trim()), Is.EqualTo((2, $"wan: {manifest}: is a file, not a styles folder (a folder of NAME.json manifests and their LoRA files)")));
    }

    [Test]
    public void LoraStrengthIsBoundedLikeAStyleManifests()
    {
        var (code, _, err) = CliProcess.Run(Args("--lora", "high_musubi.safetensors:1e30:high"));
        Assert.That(code, Is.EqualTo(2));
        Assert.That(err.Trim(), Is.EqualTo("wan: --lora 'high_musubi.safetensors:1e30:high': strength 1e30 is outside [-4, 4] (1 applies the LoRA as trained)"));
    }

    [Test]
    public void AConfigFileAsModelSaysToPassItsFolder()
    {
        using var dir = new TempDirectory();
        var config = dir.Combine("config.json");
        File.WriteAllText(config, "{}");
        var (code, _, err) = CliProcess.Run(Args("--model", config));
        Assert.That(code, Is.EqualTo(2));
        Assert.That(err.Trim(), Does.StartWith($"wan: --model {config}: is a JSON file, but the model must be the diffusers folder itself"));
    }

    [TestCase("--solver", "ddim")]
    [TestCase("--device", "tpu")]
    [TestCase("--frames", "many")]
    public void ParserErrorsAreOneLineToo(string option, string value)
    {
        var (code, stdout, err) = CliProcess.Run(Args(option, value));
        Assert.That(code, Is.EqualTo(2));
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(1), err);
        Assert.That(lines[0], Does.StartWith("wan: ").And.Contain(value));
        Assert.That(stdout, Is.Empty, "no help text dumped on a bad argument");
    }

    [Test]
    public void MissingRequiredOptionIsOneLine()
    {
        var (code, _, err) = CliProcess.Run("generate", "--prompt", "a cat");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(err.Trim(), Does.StartWith("wan: ").And.Contain("--model"));
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    [Category("Golden")]
    public void CudaWithoutAGpuNamesTheDriverError(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        if (Wan.Kernels.Device.CudaDevice.IsAvailable(out _))
        {
            Assert.Ignore("a CUDA device is present: the no-device error cannot happen here");
        }
        var (code, _, err) = CliProcess.Run(Args("--model", set.Diffusers, "--device", "cuda"));
        Assert.That(code, Is.EqualTo(2));
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(1), err);
        Assert.That(lines[0], Does.StartWith("wan: ").And.Contain("CUDA_ERROR_NO_DEVICE"));
    }

    [Test]
    public void ModelDirectoryWithoutModelIndexNamesTheFile()
    {
        var dir = Directory.CreateTempSubdirectory("wan-empty-model-").FullName;
        try
        {
            var (code, _, err) = CliProcess.Run(Args("--model", dir, "--device", "cpu"));
            Assert.That(code, Is.EqualTo(2));
            Assert.That(err.Trim(), Does.Contain(Path.Combine(dir, "model_index.json")).And.Contain("not found"));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
