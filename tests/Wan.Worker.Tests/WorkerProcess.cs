using System.Diagnostics;

namespace Wan.Worker.Tests;

/// <summary>A wan-worker child process (the built wan-worker.dll beside the tests) with its output in a log file.</summary>
internal sealed class WorkerProcess : IDisposable
{
    private readonly Process _process;

    public WorkerProcess(string id, string logFile, params string[] args)
    {
        Id = id;
        LogFile = logFile;
        var psi = new ProcessStartInfo("sh") { UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("exec dotnet \"$0\" \"$@\" > \"$WAN_WORKER_LOG\" 2>&1");
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "wan-worker.dll"));
        foreach (var a in args.Concat(["--worker-id", id]))
        {
            psi.ArgumentList.Add(a);
        }
        psi.Environment["WAN_WORKER_LOG"] = logFile;
        _process = Process.Start(psi)!;
    }

    public string Id { get; }

    public string LogFile { get; }

    public bool Exited => _process.HasExited;

    /// <summary>SIGKILL: no ack, no cleanup — the broker must redeliver its unacknowledged job.</summary>
    public void KillHard() => _process.Kill();

    public string Log() => File.Exists(LogFile) ? File.ReadAllText(LogFile) : "(no log)";

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }
        _process.Dispose();
    }
}
