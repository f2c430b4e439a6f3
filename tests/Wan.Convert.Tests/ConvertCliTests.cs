using System.Diagnostics;
using Wan.Testing;

namespace Wan.Convert.Tests;

/// <summary>`wan-convert` as a user runs it: values are literal (no '@' response files) and every error is one stderr line, exit code 2.</summary>
public class ConvertCliTests
{
    private static (int Code, string StdOut, string StdErr) Run(string workingDirectory, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "wan-convert.dll"));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            p.Kill(true);
            Assert.Fail($"wan-convert {string.Join(' ', args)} did not finish in 2 minutes");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    [Test]
    public void PathBeginningWithAtIsAPathNotAResponseFile()
    {
        using var tmp = new TempDirectory();
        // A file 'model' that, expanded as a response file, would turn '@model' into an existing folder to inspect.
        var real = Directory.CreateDirectory(tmp.Combine("real")).FullName;
        File.WriteAllText(tmp.Combine("model"), real);

        var (code, _, stderr) = Run(tmp.Path, "inspect", "@model");

        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(1), stderr);
        Assert.That(stderr, Does.StartWith("wan-convert: ").And.Contain("@model"));
    }

    [Test]
    public void BadArgumentsAreOneLineWithExitCodeTwo()
    {
        using var tmp = new TempDirectory();
        var (code, stdout, stderr) = Run(tmp.Path, "synth", tmp.Combine("out"), "--preset", "tiny", "--max-shard-size", "lots");
        Assert.That(code, Is.EqualTo(2), stdout);
        Assert.That(stderr.Trim(), Is.EqualTo("wan-convert: --max-shard-size 'lots': is not a size like 5GB, 500MB or a byte count"));
        Assert.That(Directory.Exists(tmp.Combine("out")), Is.False);

        (code, _, stderr) = Run(tmp.Path, "to-diffusers", "", tmp.Combine("out"));
        Assert.That((code, stderr.Trim()), Is.EqualTo((2, "wan-convert: SRC is empty: give a path (see 'wan-convert --help')")));

        (code, stdout, stderr) = Run(tmp.Path, "synth", tmp.Combine("out"), "--no-such-option");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(1), stderr);
        Assert.That(stdout, Is.Empty, "no help text dumped on a bad argument");
    }
}
