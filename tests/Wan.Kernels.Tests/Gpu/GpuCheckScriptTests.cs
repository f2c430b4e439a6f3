using System.Diagnostics;
using Wan.Kernels.Device;

namespace Wan.Kernels.Tests.Gpu;

/// <summary>
/// scripts/gpu-check.sh on a machine without a GPU: exit code 3, exactly one line on stderr saying so,
/// nothing on stdout, no report written, and no build started. (On a GPU machine the script itself is
/// the check; this test is then ignored.)
/// </summary>
public sealed class GpuCheckScriptTests
{
    [Test]
    public void WithoutAGpuTheScriptExitsThreeWithOneLine()
    {
        if (File.Exists("/dev/nvidia0") || CudaDevice.IsAvailable(out _))
        {
            Assert.Ignore("this machine has an NVIDIA GPU: run scripts/gpu-check.sh itself");
        }
        var script = FindScript();
        var report = Path.Combine(Path.GetTempPath(), $"wan-gpu-check-{Guid.NewGuid():N}.json");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(report);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.Multiple(() =>
        {
            Assert.That(process.ExitCode, Is.EqualTo(3));
            Assert.That(output, Is.Empty);
            Assert.That(error.TrimEnd('\n').Split('\n'), Has.Length.EqualTo(1));
            Assert.That(error, Does.StartWith("gpu-check: no NVIDIA GPU on this machine"));
            Assert.That(File.Exists(report), Is.False);
        });
    }

    private static string FindScript()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "scripts", "gpu-check.sh");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new FileNotFoundException($"scripts/gpu-check.sh not found above {AppContext.BaseDirectory}");
    }
}
