using System.Diagnostics;
using System.Runtime.InteropServices;
using Wan.Runtime.Tests.Infrastructure;

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
        var dir = Directory.CreateTempSubdirectory("wan-cli-cancel-").FullName;
        try
        {
            var output = Path.Combine(dir, "long.y4m");
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "wan.dll"), "generate", "--model", set.Diffusers,
                         "--prompt", "a long video", "--frames", "81", "--height", "256", "--width", "256", "--steps", "40",
                         "--device", "cpu", "--output", output })
            {
                psi.ArgumentList.Add(a);
            }
            using var p = Process.Start(psi)!;
            var stderr = p.StandardError.ReadToEndAsync();
            var stdout = p.StandardOutput.ReadToEndAsync();
            Thread.Sleep(TimeSpan.FromSeconds(3));
            if (p.HasExited)
            {
                Assert.Fail($"the job finished before it could be cancelled: {stdout.Result}{stderr.Result}");
            }
            Assert.That(Kill(p.Id, SigInt), Is.Zero, "kill(pid, SIGINT)");
            Assert.That(p.WaitForExit(TimeSpan.FromSeconds(60)), Is.True, "the process did not stop within 60 s of Ctrl-C");
            Assert.That(p.ExitCode, Is.EqualTo(130), stderr.Result);
            Assert.That(stderr.Result, Does.Contain("cancelled"));
            Assert.That(Directory.GetFileSystemEntries(dir), Is.Empty, "no output and no partial file");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
