using System.Threading.Channels;

namespace Wan.Server.Jobs;

/// <summary>
/// In-process publish/subscribe of <see cref="JobEvent"/>s per live job, with the job's history so far
/// for late subscribers. A job's entry exists from <see cref="Open"/> until its terminal event, which
/// completes every subscription and drops the history (a finished job's terminal event is rebuilt from
/// the store). Thread-safe. A scale-out transport feeds it from the workers' progress messages.
/// </summary>
public sealed class JobEventHub
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _jobs = [];

    /// <summary>Starts the history of a job with its first event (queued).</summary>
    public void Open(string jobId, JobEvent first)
    {
        lock (_lock)
        {
            _jobs[jobId] = new Entry();
        }
        Publish(jobId, first);
    }

    /// <summary>Records and forwards an event; a terminal one closes the job's subscriptions. Unknown jobs are ignored.</summary>
    public void Publish(string jobId, JobEvent jobEvent)
    {
        lock (_lock)
        {
            if (!_jobs.TryGetValue(jobId, out var entry))
            {
                return;
            }
            entry.History.Add(jobEvent);
            foreach (var subscriber in entry.Subscribers)
            {
                subscriber.Writer.TryWrite(jobEvent);
                if (jobEvent.IsTerminal)
                {
                    subscriber.Writer.TryComplete();
                }
            }
            if (jobEvent.IsTerminal)
            {
                _jobs.Remove(jobId);
            }
        }
    }

    /// <summary>The latest progress of a live job, or null when the hub does not know it.</summary>
    public double? LatestProgress(string jobId)
    {
        lock (_lock)
        {
            return _jobs.TryGetValue(jobId, out var entry) && entry.History.Count > 0 ? entry.History[^1].Progress : null;
        }
    }

    /// <summary>Live jobs with an open history (for leak checks: it returns to zero when every job has ended).</summary>
    public int OpenJobs
    {
        get
        {
            lock (_lock)
            {
                return _jobs.Count;
            }
        }
    }

    /// <summary>
    /// Subscribes to a live job: its events so far, then every new one until the terminal event; null
    /// when the job is not live (unknown, or already finished).
    /// </summary>
    public JobSubscription? Subscribe(string jobId)
    {
        lock (_lock)
        {
            if (!_jobs.TryGetValue(jobId, out var entry))
            {
                return null;
            }
            var channel = Channel.CreateUnbounded<JobEvent>(new UnboundedChannelOptions { SingleReader = true });
            entry.Subscribers.Add(channel);
            return new JobSubscription([.. entry.History], channel.Reader, () => Unsubscribe(jobId, channel));
        }
    }

    private void Unsubscribe(string jobId, Channel<JobEvent> channel)
    {
        lock (_lock)
        {
            if (_jobs.TryGetValue(jobId, out var entry))
            {
                entry.Subscribers.Remove(channel);
            }
        }
    }

    private sealed class Entry
    {
        public List<JobEvent> History { get; } = [];
        public List<Channel<JobEvent>> Subscribers { get; } = [];
    }
}

/// <summary>A subscription of <see cref="JobEventHub.Subscribe"/>: past events, then live ones; dispose to leave.</summary>
/// <param name="History">events before the subscription, oldest first.</param>
/// <param name="Live">events after it; completes after the terminal event.</param>
/// <param name="leave">removes the subscription from the hub.</param>
public sealed class JobSubscription(IReadOnlyList<JobEvent> History, ChannelReader<JobEvent> Live, Action leave) : IDisposable
{
    /// <summary>Events before the subscription, oldest first.</summary>
    public IReadOnlyList<JobEvent> History { get; } = History;

    /// <summary>Events after it; completes after the terminal event.</summary>
    public ChannelReader<JobEvent> Live { get; } = Live;

    /// <summary>Leaves the hub.</summary>
    public void Dispose() => leave();
}
