using System.Threading.Channels;
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

    private readonly Channel<string> _arrivals = Channel.CreateUnbounded<string>();

    /// <summary>The id of each job as it reaches the gate, in order.</summary>
    public ChannelReader<string> Arrivals => _arrivals.Reader;

    /// <summary>The next job to reach the gate; fails the test after two minutes rather than hanging it.</summary>
    public async Task<string> NextArrivalAsync() => await _arrivals.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromMinutes(2));

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
        _arrivals.Writer.TryWrite(job.Id);
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
