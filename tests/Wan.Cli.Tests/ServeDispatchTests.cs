using Wan.Testing;

namespace Wan.Cli.Tests;

/// <summary>`wan serve --dispatch rabbitmq` refuses a missing or unreachable broker in one line, exit 2, before listening.</summary>
public class ServeDispatchTests
{
    [Test]
    public void AMissingBrokerUriIsOneLine()
    {
        using var data = new TempDirectory();
        var model = Fixtures.Require(Fixtures.Sets.FirstOrDefault()).Diffusers;
        var (code, stdout, stderr) = CliProcess.Run("serve", "--model", model, "--data", data.Path, "--urls", "http://127.0.0.1:0", "--dispatch", "rabbitmq");
        Assert.That((code, stderr.Trim()), Is.EqualTo((2, "wan: broker: --dispatch rabbitmq needs an amqp:// URI in Wan:BrokerUri, got ''")), stdout);
    }

    [Test]
    public void AnUnreachableBrokerIsOneLineBeforeListening()
    {
        using var data = new TempDirectory();
        var model = Fixtures.Require(Fixtures.Sets.FirstOrDefault()).Diffusers;
        var (code, stdout, stderr) = CliProcess.Run("serve", "--model", model, "--data", data.Path, "--urls", "http://127.0.0.1:0", "--dispatch", "rabbitmq",
            "--Wan:BrokerUri=amqp://guest:guest@127.0.0.1:1/");
        Assert.That(code, Is.EqualTo(2), stdout + stderr);
        Assert.That(stderr.Trim().Split('\n'), Has.Length.EqualTo(1), stderr);
        Assert.That(stderr, Does.StartWith("wan: ").And.Contain("reachable"));
        Assert.That(stdout, Does.Not.Contain("listening"));
    }
}
