using Wan.Kernels.Device;
using Wan.Runtime.Backends.Cuda;
using Wan.Runtime.Config;
using Wan.Runtime.Models.Vae;
using Wan.Testing;

namespace Wan.Cli.Tests;

/// <summary>
/// Checks that depend on where a component runs are made from the command line, before the model loads: <c>--experts-resident
/// streamed</c> with the DiT on the CPU (named by <c>--device</c>, <c>--dit-device</c>, or <c>auto</c> on a machine without a GPU), and the
/// <c>--vae-memory</c> budget counted in the storage of the device <c>auto</c> resolves to. <c>--vae-tile</c> says what it does.
/// </summary>
[Category("Golden")]
public sealed class DevicePreflightTests
{
    private static string[] Args(FixtureSet set, string output, params string[] extra) => Sized(set, output, 48, 64, extra);

    private static string[] Sized(FixtureSet set, string output, int height, int width, params string[] extra) =>
    [
        "generate", "--model", set.Diffusers, "--prompt", "a red fox in the snow", "--frames", "5", "--height", $"{height}", "--width", $"{width}",
        "--steps", "2", "--seed", "3", "--output", output, .. extra,
    ];

    private static void AssertRefusedBeforeLoading((int ExitCode, string StdOut, string StdErr) run, string expected, string output)
    {
        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(2), run.StdErr);
            Assert.That(run.StdErr.Trim().Split('\n'), Has.Length.EqualTo(1), run.StdErr);
            Assert.That(run.StdErr, Does.StartWith("wan: " + expected));
            Assert.That(run.StdOut, Does.Not.Contain(RefusalTests.LoadingMarker), "refused before loading");
            Assert.That(File.Exists(output), Is.False);
        });
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void StreamedExpertsWithTheDitOnTheCpuAreRefusedBeforeLoading(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var dir = new TempDirectory();
        var output = dir.Combine("never.y4m");
        var cases = new List<(string[] Extra, string Expected)>
        {
            (["--device", "cpu"], "--experts-resident streamed --device cpu: streamed DiT blocks are uploaded on a CUDA copy stream"),
            (["--device", "cuda-emulated", "--dit-device", "cpu"], "--experts-resident streamed --dit-device cpu: "),
        };
        if (!CudaDevice.IsAvailable(out _))
        {
            // auto resolves to the CPU here: known from cuInit alone, without building a backend or reading a weight.
            cases.Add((["--device", "auto"], "--experts-resident streamed --device auto: streamed DiT blocks are uploaded on a CUDA copy stream and auto found no usable GPU"));
        }
        foreach (var (extra, expected) in cases)
        {
            AssertRefusedBeforeLoading(CliProcess.Run(Args(set, output, ["--experts-resident", "streamed", .. extra])), expected, output);
        }
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void LoraModeMergedWithoutALoraDoesNotBlockStreamedExperts(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var dir = new TempDirectory();
        // The output's missing parent is checked after the LoRA-mode rule: reaching it shows that rule let the run through.
        var output = dir.Combine("missing", "x.y4m");
        var run = CliProcess.Run(Args(set, output, "--device", "cuda-emulated", "--experts-resident", "streamed", "--lora-mode", "merged"));
        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(2), run.StdErr);
            Assert.That(run.StdErr, Does.StartWith("wan: --output ").And.Not.Contain("--lora-mode"));
        });
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void CudaNamedWithoutAGpuIsRefusedBeforeLoadingNamingTheOption(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        Assume.That(CudaDevice.IsAvailable(out _), Is.False, "only without a GPU");
        using var dir = new TempDirectory();
        var output = dir.Combine("never.y4m");
        foreach (var (extra, expected) in new (string[], string)[]
        {
            (["--device", "cuda", "--vae-memory", "0.5"], "--device cuda: "),
            (["--device", "cpu", "--vae-device", "cuda"], "--vae-device cuda: "),
            (["--device", "cpu", "--dit-device", "cuda", "--experts-resident", "streamed"], "--dit-device cuda: "),
        })
        {
            var run = CliProcess.Run(Args(set, output, extra));
            AssertRefusedBeforeLoading(run, expected, output);
            Assert.That(run.StdOut, Does.Not.Contain("VAE decode:"), "no tiling chosen for a GPU that is not there");
        }
        // --device cuda with every component routed elsewhere uses no GPU: not refused.
        var routed = CliProcess.Run(Args(set, output, "--device", "cuda", "--text-encoder-device", "cpu", "--dit-device", "cpu", "--vae-device", "cpu"));
        Assert.That(routed.ExitCode, Is.EqualTo(0), routed.StdErr);
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void AnAutoVaeBudgetIsCountedInTheStorageOfTheDeviceAutoPicks(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        Assume.That(CudaDevice.IsAvailable(out _), Is.False, "auto resolves to the CPU only without a GPU");
        // A budget that the bf16 decode fits whole but no fp32 tiling fits: auto on this machine decodes on the CPU in fp32.
        var config = VaeConfig.Load(Path.Combine(set.Diffusers, "vae", "config.json"));
        int scale = config.SpatialScale;
        long budget = VaeDecodeMemory.PeakBytes(config, 2, 48 / scale, 64 / scale, null, 2, CudaBackend.DefaultConvColumnBytes);
        Assert.That(() => VaeDecodeMemory.Choose(config, 2, 48 / scale, 64 / scale, 4, CudaBackend.DefaultConvColumnBytes, budget),
            Throws.TypeOf<Wan.Errors.RequestException>(), "the fixture's fp32 decode needs more than its bf16 whole-frame peak");
        using var dir = new TempDirectory();
        var output = dir.Combine("never.y4m");
        var gb = (budget / 1e9).ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        // Counted in bf16 (the precision), as before, it passed this check and was refused only after the model had loaded.
        AssertRefusedBeforeLoading(CliProcess.Run(Args(set, output, "--vae-memory", gb)), $"--vae-memory {gb} GB: too small to decode", output);
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void AVaeTileSaysWhetherItTilesTheLatent(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var dir = new TempDirectory();
        var config = VaeConfig.Load(Path.Combine(set.Diffusers, "vae", "config.json"));
        int height = 48 / config.SpatialScale, width = 64 / config.SpatialScale;
        var whole = CliProcess.Run(Args(set, dir.Combine("whole.y4m"), "--device", "cpu", "--vae-tile", "100000"));
        Assert.Multiple(() =>
        {
            Assert.That(whole.ExitCode, Is.EqualTo(0), whole.StdErr);
            Assert.That(whole.StdOut, Does.Contain($"VAE decode: --vae-tile 100000 covers the whole {height}×{width} latent: whole frames, untiled"));
            Assert.That(new FileInfo(dir.Combine("whole.y4m")).Length, Is.GreaterThan(0));
        });
        var tiled = CliProcess.Run(Sized(set, dir.Combine("tiled.y4m"), 128, 192, "--device", "cpu", "--vae-tile", "8"));
        Assert.Multiple(() =>
        {
            Assert.That(tiled.ExitCode, Is.EqualTo(0), tiled.StdErr);
            Assert.That(tiled.StdOut, Does.Match(@"VAE decode: tiles of 8 latent pixels, overlap \d+ \(--vae-tile 8\)"));
        });
    }
}
