using System.Diagnostics;

namespace Wan.Cli.Tests;

/// <summary>Runs the built `wan` command in a child process, as a user would.</summary>
internal static class CliProcess
{
    public static (int ExitCode, string StdOut, string StdErr) Run(params string[] args) => RunIn(null, null, args);

    /// <summary>
    /// Runs `wan` in <paramref name="workingDirectory"/> (null: the test's) with <paramref name="environment"/>
    /// set on top of the inherited variables (e.g. a PATH without ffmpeg, a GC heap limit).
    /// </summary>
    public static (int ExitCode, string StdOut, string StdErr) RunIn(string? workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        RunDll("wan.dll", workingDirectory, environment, args);

    /// <summary>Runs a .NET program from the test's output folder (e.g. wan.dll, wan-convert.dll).</summary>
    public static (int ExitCode, string StdOut, string StdErr) RunDll(string dllName, string? workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, dllName);
        // The full path of dotnet, so that a test may hand the child a PATH without it (e.g. no ffmpeg).
        var psi = new ProcessStartInfo(Dotnet) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (workingDirectory is not null)
        {
            psi.WorkingDirectory = workingDirectory;
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[name] = value;
        }
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
            Assert.Fail($"{dllName} {string.Join(' ', args)} did not finish in 5 minutes");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    private static string Dotnet =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "dotnet")).FirstOrDefault(File.Exists) ?? "dotnet";
}
