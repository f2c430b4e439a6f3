using Wan.Testing;

namespace Wan.Cli.Tests;

/// <summary>
/// The faults replayed from public bug reports (issue 10), each as the reported instance and another
/// member of its kind: `wan generate` refuses with one line on stderr and exit code 2, leaves no file,
/// and fails before the model loads (the loading line never appears) whenever the command line and the
/// configs suffice to know.
/// </summary>
[Category("Golden")]
public class RefusalTests
{
    /// <summary>What `wan generate` prints just before it loads the model (LoadingMarker); a successful run shows it (<see cref="LiteralValuesTests"/>).</summary>
    internal const string LoadingMarker = "loading the model from ";

    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("wan-refusal-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, true);

    private static string[] Args(string model, params string[] overrides)
    {
        var args = new Dictionary<string, string>
        {
            ["--model"] = model,
            ["--prompt"] = "a cat",
            ["--frames"] = "5",
            ["--height"] = "32",
            ["--width"] = "32",
            ["--steps"] = "2",
            ["--device"] = "cpu",
        };
        for (int i = 0; i < overrides.Length; i += 2)
        {
            args[overrides[i]] = overrides[i + 1];
        }
        return ["generate", .. args.SelectMany(kv => new[] { kv.Key, kv.Value })];
    }

    /// <summary>Runs `wan` and asserts the refusal: exit 2, one stderr line that starts as expected, no model load, nothing written.</summary>
    private string Refused(string[] args, string expectedStart, Dictionary<string, string>? environment = null, bool beforeLoading = true)
    {
        var before = Directory.GetFileSystemEntries(_dir, "*", SearchOption.AllDirectories).Order().ToArray();
        var (code, stdout, stderr) = CliProcess.RunIn(null, environment, args);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(2), stderr + stdout);
            Assert.That(lines, Has.Length.EqualTo(1), stderr);
            Assert.That(stderr, Does.StartWith("wan: " + expectedStart));
            Assert.That(stderr, Does.Not.Contain(".partial-"), "never a hidden temporary name");
            Assert.That(stdout.Contains(LoadingMarker, StringComparison.Ordinal), Is.EqualTo(!beforeLoading), beforeLoading ? "refused before the model loads" : "failed while running");
            Assert.That(Directory.GetFileSystemEntries(_dir, "*", SearchOption.AllDirectories).Order(), Is.EqualTo(before), "nothing written");
        });
        return lines[0];
    }

    private static IEnumerable<TestCaseData> Sets() => Fixtures.AllSets();

    // Issue 10 item 3: problems that need only the command line, found before loading.
    [TestCaseSource(nameof(Sets))]
    public void OutputProblemsAreFoundBeforeLoading(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        var missing = Path.Combine(_dir, "missing", "clip.mp4");
        Refused(Args(set.Diffusers, "--output", missing), $"--output {missing}: the folder {Path.Combine(_dir, "missing")} does not exist");
        var folder = Directory.CreateDirectory(Path.Combine(_dir, "clip.y4m")).FullName;
        Refused(Args(set.Diffusers, "--output", folder), $"--output {folder}: is a folder");
        Refused(Args(set.Diffusers, "--output", "/proc/wan-clip.gif"), "--output /proc/wan-clip.gif: cannot create files in /proc");
        Refused(Args(set.Diffusers, "--output", ""), "--output: is empty");
        var mp4 = Path.Combine(_dir, "clip.mp4");
        Refused(Args(set.Diffusers, "--output", mp4), $"--output {mp4}: writing MP4 needs the ffmpeg program", new() { ["PATH"] = "/nonexistent-bin" });
    }

    [TestCaseSource(nameof(Sets))]
    public void OptionRangesAreFoundBeforeLoading(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        var output = Path.Combine(_dir, "clip.y4m");
        Refused(Args(set.Diffusers, "--output", output, "--fps", "0"), "--fps 0: must be at least 1");
        Refused(Args(set.Diffusers, "--output", output, "--steps", "0"), "--steps 0: must be 1 to 1000");
        Refused(Args(set.Diffusers, "--output", output, "--guidance", "nan"), "--guidance 'nan': expected LOW,HIGH");
        Refused(Args(set.Diffusers, "--output", output, "--frames", "8"), "--frames 8: must be 4k+1");
    }

    // Issue 10 item 5: impossible sizes are refused up front, naming the option and the limit.
    [TestCaseSource(nameof(Sets))]
    public void ImpossibleSizesAreRefusedNamingTheLimit(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        var output = Path.Combine(_dir, "clip.y4m");
        var line = Refused(Args(set.Diffusers, "--output", output, "--height", "65536", "--width", "65536", "--frames", "5"), "--height 65536: gives ");
        Assert.That(line, Does.Contain("patches along height; this model's RoPE table covers").And.Contain("pixels"));
        Refused(Args(set.Diffusers, "--output", output, "--height", "131072", "--width", "131072", "--frames", "1"), "--height 131072: gives ");
        Refused(Args(set.Diffusers, "--output", output, "--frames", "2147483645"), "--frames 2147483645: gives ");
        Refused(Args(set.Diffusers, "--output", output, "--steps", "2000000000"), "--steps 2000000000: must be 1 to 1000");
    }

    [TestCaseSource(nameof(Sets))]
    public void HostMemoryIsOneLineNamingStageAndAmount(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        var output = Path.Combine(_dir, "clip.y4m");
        string[] args = Args(set.Diffusers, "--output", output, "--frames", "81", "--height", "256", "--width", "256", "--steps", "1");
        // Streamed decode holds one chunk: 4 frames of 1024 × 1024 × 3 as floats twice and bytes, plus two frames of writer
        // buffers (114 MiB), which exceeds a 32 MiB heap: refused up front.
        string[] large = Args(set.Diffusers, "--output", output, "--frames", "81", "--height", "1024", "--width", "1024", "--steps", "1");
        var upFront = Refused(large, "out of host memory while decoding: 114 MiB asked for", new() { ["DOTNET_GCHeapHardLimit"] = "0x2000000" });
        Assert.That(upFront, Does.Contain("32.0 MiB is available"));
        // 256 × 256 passes that check (7.1 MiB), the whole run does not fit 32 MiB: the runtime's OutOfMemoryException becomes one line naming the stage.
        Refused(args, "out of host memory while ", new() { ["DOTNET_GCHeapHardLimit"] = "0x2000000" }, beforeLoading: false);
    }

    // Issue 10 item 7: a file given as --model is named as a file, with the layout expected.
    [TestCase("wan2.2_t2v_high_noise_14B_fp8_scaled.safetensors")]
    [TestCase("wan2.1-t2v-14b-Q8_0.gguf")]
    public void ModelThatIsAFileIsSaidToBeAFile(string name)
    {
        var file = Path.Combine(_dir, name);
        File.WriteAllText(file, "not a folder");
        var line = Refused(Args(file, "--output", Path.Combine(_dir, "clip.y4m")), $"--model {file}: is a file");
        Assert.That(line, Does.Contain("diffusers folder (model_index.json").And.Contain("wan-convert to-diffusers"));
        Refused(Args("", "--output", Path.Combine(_dir, "clip.y4m")), "--model: is empty");
        var missing = Path.Combine(_dir, "no-such-model");
        Refused(Args(missing, "--output", Path.Combine(_dir, "clip.y4m")), $"--model {missing}: does not exist");
    }

    [TestCaseSource(nameof(Sets))]
    public void ModelInTheOriginalLayoutPointsToTheConverter(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        var line = Refused(Args(set.Original, "--output", Path.Combine(_dir, "clip.y4m")), $"--model {set.Original}: is not a diffusers model folder");
        Assert.That(line, Does.Contain(Path.Combine(set.Original, "model_index.json") + " not found").And.Contain("wan-convert to-diffusers"));
    }

    // Issue 10 item 8: configs the runtime cannot run are refused from the configs, naming the file and key.
    [TestCaseSource(nameof(Sets))]
    public void ImageToVideoAndMismatchedConfigsAreRefusedAtLoad(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        var output = Path.Combine(_dir, "clip.y4m");
        using var model = new ConfigOnlyModel(set.Diffusers);
        model.Set("transformer/config.json", ("in_channels", "36"));
        Refused(Args(model.Directory, "--output", output), $"{model.PathOf("transformer/config.json")}: 'in_channels' is 36 but 'out_channels' is {model.Get("transformer/config.json", "out_channels") ?? 16}");
        model.Set("transformer/config.json", ("image_dim", "1280"));
        Refused(Args(model.Directory, "--output", output), $"{model.PathOf("transformer/config.json")}: 'image_dim' is 1280: an image-to-video transformer");
        model.Set("transformer/config.json", ("in_channels", "16"), ("image_dim", "null"), ("num_attention_heads", "2000000000"));
        Refused(Args(model.Directory, "--output", output), $"{model.PathOf("transformer/config.json")}: 'num_attention_heads × attention_head_dim' give a size of 2000000000 × ");
    }
}
