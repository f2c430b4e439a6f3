using System.Diagnostics;
using Wan.Testing;

namespace Wan.Kernels.Tests.Emulated;

/// <summary>
/// kernels/emu/kernel-coverage.sh, the check that the emulated CI reruns (a subset of the Emulated tests)
/// still launch every kernel: it flags a kernel that no logged launch ran, by name, including one generated
/// by a macro; it passes when every kernel was launched; it refuses an empty log; and on the real
/// kernels/cuda sources it finds the macro-generated kernels (one per storage type and head size).
/// </summary>
public sealed class KernelCoverageScriptTests
{
    private const string Sources = """
        #define WAN_REGISTER_KERNEL(name)
        #define SCALE_KERNEL(suffix, T) \
            extern "C" __global__ void scale_##suffix(T* x, int n) { x[0] = x[0] * 2; } \
            WAN_REGISTER_KERNEL(scale_##suffix)
        SCALE_KERNEL(f32, float)
        SCALE_KERNEL(f64, double)
        extern "C" __global__ void __launch_bounds__(256)
        copy_words(const unsigned* x, unsigned* y) { y[0] = x[0]; }
        __device__ void helper_not_a_kernel() {}
        """;

    [Test]
    public void AKernelNoLaunchRanIsNamed()
    {
        using var dir = WithSources();
        File.WriteAllLines(dir.Combine("launched.log"), ["copy_words", "scale_f32", "copy_words", "probe_elsewhere"]);
        var (code, output, error) = Run(dir.Combine("launched.log"), dir.Combine("cuda"));
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(1));
            Assert.That(output, Is.Empty);
            Assert.That(error.TrimEnd('\n').Split('\n'), Has.Length.EqualTo(1));
            Assert.That(error, Does.Contain("1 of the 3 kernels").And.EndWith("were never launched: scale_f64\n"));
        });
    }

    [Test]
    public void EveryKernelLaunchedPasses()
    {
        using var dir = WithSources();
        File.WriteAllLines(dir.Combine("launched.log"), ["scale_f64", "copy_words", "scale_f32"]);
        var (code, output, error) = Run(dir.Combine("launched.log"), dir.Combine("cuda"));
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(0), error);
            Assert.That(output, Does.StartWith("kernel coverage: every one of the 3 kernels"));
        });
    }

    [Test]
    public void AnEmptyLogIsRefused()
    {
        using var dir = WithSources();
        File.WriteAllText(dir.Combine("launched.log"), "");
        var (code, _, error) = Run(dir.Combine("launched.log"), dir.Combine("cuda"));
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(2));
            Assert.That(error, Does.Contain("launched.log is missing or empty"));
        });
    }

    [Test]
    public void TheRuntimeSourcesDeclareTheMacroGeneratedKernels()
    {
        using var dir = new TempDirectory();
        File.WriteAllLines(dir.Combine("launched.log"), ["no_such_kernel"]);
        var (code, _, error) = Run(dir.Combine("launched.log"), null);
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(1));
            Assert.That(error, Does.Contain(" flash_attention_bf16_d128 ").And.Contain(" rms_norm_f16 ").And.Contain(" count_nonfinite_f32 "));
            Assert.That(error, Does.Not.Contain("probe_"), "the test-only probes of kernels/cuda/test are not runtime kernels");
        });
    }

    private static TempDirectory WithSources()
    {
        var dir = new TempDirectory();
        Directory.CreateDirectory(dir.Combine("cuda"));
        File.WriteAllText(dir.Combine("cuda", "scale.cu"), Sources);
        return dir;
    }

    private static (int Code, string Output, string Error) Run(string log, string? kernelsDir)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(FindScript());
        start.ArgumentList.Add(log);
        if (kernelsDir is not null)
        {
            start.ArgumentList.Add(kernelsDir);
        }
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, error.Result);
    }

    private static string FindScript()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "kernels", "emu", "kernel-coverage.sh");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new FileNotFoundException($"kernels/emu/kernel-coverage.sh not found above {AppContext.BaseDirectory}");
    }
}
