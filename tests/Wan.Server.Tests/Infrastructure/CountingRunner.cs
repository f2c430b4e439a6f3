using Wan.Server.Jobs;

namespace Wan.Server.Tests.Infrastructure;

/// <summary>
/// Wraps the server's real <see cref="IJobRunner"/> (the engine): counts the runs that reach the engine,
/// and can hold every run at a gate before it does, so a test can keep a job running or queued.
/// </summary>
internal sealed class CountingRunner(IJobRunner inner) : IJobRunner
{
    private int _engineRuns;
    private TaskCompletionSource _gate = Open();

    /// <summary>Runs that went through to the engine.</summary>
    public int EngineRuns => Volatile.Read(ref _engineRuns);

    /// <summary>Jobs that reached the gate (the runner's entry), with their ids in order.</summary>
    public List<string> Entered { get; } = [];

    /// <summary>Completed when a run reaches the gate.</summary>
    public TaskCompletionSource<string> Arrived { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Makes later runs wait at the gate until <see cref="Release"/>.</summary>
    public void Hold() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Lets waiting and later runs through.</summary>
    public void Release() => _gate.TrySetResult();

    public async Task<JobTimings> RunAsync(VideoJob job, string outputPath, Action<JobEvent> report, CancellationToken cancellation)
    {
        lock (Entered)
        {
            Entered.Add(job.Id);
        }
        var arrived = Arrived;
        Arrived = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        arrived.TrySetResult(job.Id);
        await _gate.Task.WaitAsync(cancellation);
        Interlocked.Increment(ref _engineRuns);
        return await inner.RunAsync(job, outputPath, report, cancellation);
    }

    private static TaskCompletionSource Open()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        gate.SetResult();
        return gate;
    }
}
