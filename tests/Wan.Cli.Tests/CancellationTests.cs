using System.Diagnostics;
using System.Runtime.InteropServices;
using Wan.Testing;

namespace Wan.Cli.Tests;

/// <summary>Ctrl-C (SIGINT) during generation cancels cleanly: exit code 130, no output file, no partial file.</summary>
[Category("Golden")]
public partial class CancellationTests
{
    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);

    private const int SigInt = 2;

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void CtrlCDuringGenerationLeavesNoOutput(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var temp = new TempDirectory();
        var output = temp.Combine("long.y4m");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "wan.dll"), "generate", "--model", set.Diffusers,
                     "--prompt", "a long video", "--frames", "81", "--height", "256", "--width", "256", "--steps", "40",
                     "--device", "cpu", "--output", output })
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var started = WaitForLine(p.StandardOutput, "model:", TimeSpan.FromSeconds(60));
        if (started is null || p.HasExited)
        {
            p.Kill(true);
            Assert.Fail($"the job did not start, or finished before it could be cancelled: {p.StandardOutput.ReadToEnd()}{stderr.Result}");
        }
        var stdout = p.StandardOutput.ReadToEndAsync();
        Assert.That(Kill(p.Id, SigInt), Is.Zero, "kill(pid, SIGINT)");
        Assert.That(p.WaitForExit(TimeSpan.FromSeconds(60)), Is.True, "the process did not stop within 60 s of Ctrl-C");
        Assert.That(p.ExitCode, Is.EqualTo(130), $"{stdout.Result}{stderr.Result}");
        Assert.That(stderr.Result, Does.Contain("cancelled"));
        Assert.That(Directory.GetFileSystemEntries(temp.Path), Is.Empty, "no output and no partial file");
    }

    /// <summary>
    /// Reads lines until one contains <paramref name="marker"/> (the job opened the engine and printed
    /// the model, so its Ctrl-C handler is installed and generation is under way): null at end of output or after
    /// <paramref name="limit"/>. Waiting on the output itself, not on a fixed sleep.
    /// </summary>
    private static string? WaitForLine(StreamReader output, string marker, TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            while (output.ReadLineAsync(timeout.Token).AsTask().GetAwaiter().GetResult() is { } line)
            {
                if (line.Contains(marker, StringComparison.Ordinal))
                {
                    return line;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        return null;
    }
}
