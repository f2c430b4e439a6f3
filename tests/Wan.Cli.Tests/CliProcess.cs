using System.Diagnostics;

namespace Wan.Cli.Tests;

/// <summary>Runs the built `wan` command in a child process, as a user would.</summary>
internal static class CliProcess
{
    public static (int ExitCode, string StdOut, string StdErr) Run(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "wan.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            p.Kill(true);
            Assert.Fail($"wan {string.Join(' ', args)} did not finish in 5 minutes");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
