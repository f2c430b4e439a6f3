using Microsoft.Extensions.Hosting;
using Wan.Server.Telemetry;

namespace Wan.Server.Jobs;

/// <summary>
/// <see cref="IJobDispatcher"/> in this process: a bounded priority queue (higher <see cref="VideoJob.Priority"/>
/// first, then submission order) drained by one worker that runs each job through the
/// <see cref="JobExecutor"/> — one at a time, as the engine serialises generations anyway. At start it
/// first recovers what the previous process left (<see cref="JobRecovery"/>).
/// </summary>
public sealed class LocalJobDispatcher : BackgroundService, IJobDispatcher
{
    private readonly Lock _lock = new();
    private readonly PriorityQueue<VideoJob, (int NegativePriority, long Sequence)> _queue = new();
    private readonly Dictionary<string, VideoJob> _waiting = [];
    private readonly SemaphoreSlim _available = new(0);
    private readonly JobExecutor _executor;
    private readonly JobRecovery _recovery;
    private long _sequence;
    private (string Id, CancellationTokenSource Cancel)? _running;
    private double _averageJobSeconds = 1;

    /// <summary>A dispatcher of at most <paramref name="capacity"/> waiting jobs.</summary>
    /// <exception cref="ArgumentOutOfRangeException">capacity is below 1.</exception>
    public LocalJobDispatcher(int capacity, JobExecutor executor, JobRecovery recovery, ServerMetrics metrics)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentNullException.ThrowIfNull(metrics);
        Capacity = capacity;
        _executor = executor;
        _recovery = recovery;
        metrics.ObserveDispatcher(this);
    }

    /// <inheritdoc/>
    public int Capacity { get; }

    /// <inheritdoc/>
    public int QueueDepth
    {
        get
        {
            lock (_lock)
            {
                return _queue.Count;
            }
        }
    }

    /// <inheritdoc/>
    public int ActiveJobs
    {
        get
        {
            lock (_lock)
            {
                return _running is null ? 0 : 1;
            }
        }
    }

    /// <inheritdoc/>
    public bool TryEnqueue(VideoJob job) => Enqueue(job, force: false);

    /// <inheritdoc/>
    public CancelOutcome Cancel(string jobId)
    {
        lock (_lock)
        {
            if (_waiting.Remove(jobId, out var waiting))
            {
                _queue.Remove(waiting, out _, out _, ReferenceEqualityComparer.Instance);
                return CancelOutcome.RemovedFromQueue;
            }
            if (_running is { } running && running.Id == jobId)
            {
                running.Cancel.Cancel();
                return CancelOutcome.StopRequested;
            }
            return CancelOutcome.NotFound;
        }
    }

    /// <inheritdoc/>
    public TimeSpan EstimatedWait()
    {
        lock (_lock)
        {
            return TimeSpan.FromSeconds(Math.Clamp(_averageJobSeconds * (_queue.Count + 1 - Capacity + (_running is null ? 0 : 1)), 1, 3600));
        }
    }

    /// <summary>Recovers the previous process's unfinished jobs (re-queued past the capacity: they were accepted), then starts the worker.</summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var job in _recovery.Recover())
        {
            Enqueue(job, force: true);
        }
        return base.StartAsync(cancellationToken);
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await _available.WaitAsync(stoppingToken).ConfigureAwait(false);
            VideoJob? job;
            CancellationTokenSource cancel;
            lock (_lock)
            {
                // A cancelled job left the queue without taking its signal back: skip the empty turn.
                if (!_queue.TryDequeue(out job, out _))
                {
                    continue;
                }
                _waiting.Remove(job.Id);
                cancel = new CancellationTokenSource();
                _running = (job.Id, cancel);
            }
            var started = DateTime.UtcNow;
            try
            {
                await _executor.ExecuteAsync(job, cancel.Token, stoppingToken).ConfigureAwait(false);
            }
            finally
            {
                lock (_lock)
                {
                    _running = null;
                    _averageJobSeconds = 0.7 * _averageJobSeconds + 0.3 * (DateTime.UtcNow - started).TotalSeconds;
                }
                cancel.Dispose();
            }
        }
    }

    private bool Enqueue(VideoJob job, bool force)
    {
        ArgumentNullException.ThrowIfNull(job);
        lock (_lock)
        {
            if (!force && _queue.Count >= Capacity)
            {
                return false;
            }
            _queue.Enqueue(job, (-job.Priority, _sequence++));
            _waiting[job.Id] = job;
        }
        _available.Release();
        return true;
    }

    /// <inheritdoc/>
    public override void Dispose()
    {
        _available.Dispose();
        base.Dispose();
    }
}
