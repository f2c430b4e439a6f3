using System.Diagnostics;
using Wan.Testing;

namespace Wan.Worker.Tests;

/// <summary>wan-worker refuses bad arguments with one line on stderr and exit code 2, before connecting anywhere.</summary>
public sealed class WorkerArgumentsTests
{
    [TestCase(new[] { "--model", "m", "--store", "s", "--results", "." }, "wan-worker: --broker is required")]
    [TestCase(new[] { "--broker", "http://x/", "--model", "m", "--store", "s", "--results", "." }, "wan-worker: --broker http://x/: not an amqp:// URI")]
    [TestCase(new[] { "--broker", "amqp://127.0.0.1:1/", "--model", "m", "--store", "s", "--results", "/no/such/dir" }, "wan-worker: --results /no/such/dir: directory not found")]
    [TestCase(new[] { "--threads", "4" }, "wan-worker: unknown argument '--threads'")]
    [TestCase(new[] { "--broker", "amqp://127.0.0.1:1/", "--model", "m", "--store", "s", "--results", ".", "--precision", "fp64" },
        "wan-worker: precision 'fp64': expected one of bf16, fp16, fp32")]
    public void BadArgumentsGiveOneLineAndExitCode2(string[] args, string expected)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "wan-worker.dll"));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEnd();
        Assert.That(p.WaitForExit(TimeSpan.FromMinutes(1)), Is.True);
        Assert.That(p.ExitCode, Is.EqualTo(2));
        Assert.That(stderr, Does.StartWith(expected));
        Assert.That(stderr.TrimEnd().Split('\n'), Has.Length.EqualTo(1), "one line");
    }

    [Test]
    public void AMissingModelIsNamed()
    {
        using var dir = new TempDirectory();
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "wan-worker.dll"), "--broker", "amqp://127.0.0.1:1/", "--model", dir.Combine("none"),
                     "--store", dir.Combine("s.db"), "--results", dir.Path, "--device", "cpu" })
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEnd();
        Assert.That(p.WaitForExit(TimeSpan.FromMinutes(1)), Is.True);
        Assert.That(p.ExitCode, Is.EqualTo(2));
        Assert.That(stderr, Does.StartWith($"wan-worker: {dir.Combine("none")}: "), "names the model folder");
        Assert.That(stderr.TrimEnd().Split('\n'), Has.Length.EqualTo(1), "one line");
    }
}
