namespace Wan.Cli.Tests;

/// <summary>
/// <c>wan serve</c> passes unknown tokens to ASP.NET configuration, whose binder ignores keys it does not know: a <c>wan generate</c>
/// option (<c>--experts-resident streamed</c>, <c>--vae-memory 2</c>) or a <c>Wan:</c> key that is no server setting would start a
/// server that silently does something else, and a value of the wrong type was a stack trace. Each is one line, exit 2, no server.
/// </summary>
public sealed class ServeArgumentTests
{
    [TestCase("--experts-resident", "streamed", "wan: --experts-resident: an option of wan generate, not of wan serve")]
    [TestCase("--vae-memory=2", null, "wan: --vae-memory: an option of wan generate, not of wan serve")]
    [TestCase("--vae-tile", "16", "wan: --vae-tile: an option of wan generate, not of wan serve")]
    [TestCase("--steps", "4", "wan: --steps: an option of wan generate, not of wan serve")]
    [TestCase("--Wan:ExpertsResident=Streamed", null, "wan: --Wan:ExpertsResident: no such server setting (the Wan: settings are ApiKeys, ")]
    [TestCase("--wan:vaememory", "2", "wan: --wan:vaememory: no such server setting")]
    [TestCase("--Wan:Device=Cpu", null, "wan: --Wan:Device: wan serve sets it from --device (its default when not given), which would override this silently: use --device")]
    [TestCase("--wan:precision", "fp16", "wan: --wan:precision: wan serve sets it from --precision")]
    [TestCase("--Wan:QueueCapacity=abc", null, "wan: --Wan:QueueCapacity 'abc': not a valid Int32 value")]
    [TestCase("--Wan:InterruptedJobs=Sometimes", null, "wan: --Wan:InterruptedJobs 'Sometimes': not a valid InterruptedJobPolicy value")]
    public void APassThroughTokenTheServerWouldIgnoreOrCrashOnIsOneLine(string token, string? value, string expected)
    {
        using var data = new Wan.Testing.TempDirectory();
        string[] args = ["serve", "--model", data.Path, "--data", data.Combine("data"), "--device", "cpu", "--urls", "http://127.0.0.1:0", token];
        var (code, stdout, stderr) = CliProcess.Run(value is null ? args : [.. args, value]);
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(2), stdout + stderr);
            Assert.That(stderr.Trim().Split('\n'), Has.Length.EqualTo(1), stderr);
            Assert.That(stderr, Does.StartWith(expected));
            Assert.That(stdout, Does.Not.Contain("listening"));
        });
    }
}
