using System.Diagnostics;
using System.Net.Sockets;

namespace Wan.Worker.Tests;

/// <summary>
/// A RabbitMQ broker on loopback for the tests, idempotently: one already listening on the port
/// ($WAN_AMQP_PORT, default 5679) is reused; otherwise the Debian rabbitmq-server is started detached
/// with a private node name, ports and data directory under /tmp (left running for the next test run).
/// A broker that cannot be started fails the test with the reason: these tests are never skipped.
/// </summary>
internal static class RabbitBroker
{
    private const string Server = "/usr/lib/rabbitmq/bin/rabbitmq-server";
    private static readonly Lazy<Uri> Started = new(Start);

    public static int Port => int.TryParse(Environment.GetEnvironmentVariable("WAN_AMQP_PORT"), out var p) ? p : 5679;

    /// <summary>The broker's amqp:// URI (guest account, loopback only).</summary>
    public static Uri Uri => Started.Value;

    private static Uri Start()
    {
        var uri = new Uri($"amqp://guest:guest@127.0.0.1:{Port}/");
        if (Listening())
        {
            return uri;
        }
        if (!File.Exists(Server))
        {
            Assert.Fail($"{Server} not found: install the Debian package rabbitmq-server (scripts/install-deps.sh does)");
        }
        var home = Path.Combine(Path.GetTempPath(), $"wan-rabbitmq-{Port}");
        Directory.CreateDirectory(Path.Combine(home, "mnesia"));
        Directory.CreateDirectory(Path.Combine(home, "log"));
        File.WriteAllText(Path.Combine(home, "enabled_plugins"), "[].");
        var psi = new ProcessStartInfo("setsid") { RedirectStandardOutput = false, WorkingDirectory = home, UseShellExecute = false };
        psi.ArgumentList.Add("sh");
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add($"exec {Server} > '{Path.Combine(home, "server.log")}' 2>&1");
        psi.Environment["HOME"] = home;
        psi.Environment["RABBITMQ_NODENAME"] = $"wan-test-{Port}@localhost";
        psi.Environment["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1";
        psi.Environment["RABBITMQ_NODE_PORT"] = Port.ToString();
        psi.Environment["RABBITMQ_DIST_PORT"] = (Port + 20000).ToString();
        psi.Environment["RABBITMQ_MNESIA_BASE"] = Path.Combine(home, "mnesia");
        psi.Environment["RABBITMQ_LOG_BASE"] = Path.Combine(home, "log");
        psi.Environment["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(home, "enabled_plugins");
        using (Process.Start(psi))
        {
        }
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(90))
        {
            if (Listening())
            {
                TestContext.Progress.WriteLine($"started rabbitmq-server on port {Port} in {clock.Elapsed.TotalSeconds:F0} s (data in {home})");
                return uri;
            }
            Thread.Sleep(500);
        }
        var logFile = Path.Combine(home, "server.log");
        var tail = File.Exists(logFile) ? string.Join(" | ", File.ReadLines(logFile).TakeLast(5)) : "no log";
        Assert.Fail($"rabbitmq-server did not listen on 127.0.0.1:{Port} within 90 s: {tail}");
        return uri;
    }

    private static bool Listening()
    {
        try
        {
            using var client = new TcpClient();
            client.Connect("127.0.0.1", Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
