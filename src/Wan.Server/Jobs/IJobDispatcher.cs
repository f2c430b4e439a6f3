namespace Wan.Server.Jobs;

/// <summary>
/// The transport between the API and the engines: accepts queued jobs, hands them to a runner, and
/// cancels them. The local server uses <see cref="LocalJobDispatcher"/> (a bounded in-process priority
/// queue in front of the engine); a scale-out deployment publishes to a broker instead. Thread-safe.
/// </summary>
public interface IJobDispatcher
{
    /// <summary>Jobs waiting.</summary>
    int QueueDepth { get; }

    /// <summary>Jobs on an engine now.</summary>
    int ActiveJobs { get; }

    /// <summary>Most jobs that may wait; <see cref="TryEnqueue"/> refuses more.</summary>
    int Capacity { get; }

    /// <summary>Queues a job already saved as queued; false when the queue is full.</summary>
    /// <exception cref="JobDispatchException">the transport could not take it (a broker that is down or refuses it).</exception>
    bool TryEnqueue(VideoJob job);

    /// <summary>Cancels a job: removes it from the queue, or asks the running engine to stop at its next block.</summary>
    CancelOutcome Cancel(string jobId);

    /// <summary>A guess of how long until a slot frees up (for Retry-After), from recent job durations.</summary>
    TimeSpan EstimatedWait();
}

/// <summary>What <see cref="IJobDispatcher.Cancel"/> did.</summary>
public enum CancelOutcome
{
    /// <summary>The dispatcher does not hold the job (finished, or unknown).</summary>
    NotFound,
    /// <summary>It was waiting and left the queue; the caller records it as cancelled.</summary>
    RemovedFromQueue,
    /// <summary>It is running; the engine stops at its next block and the runner records it as cancelled.</summary>
    StopRequested,
}
