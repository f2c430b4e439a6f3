namespace Wan.Server.Jobs;

/// <summary>What a starting server does with jobs the previous process left running (killed or stopped mid-job).</summary>
public enum InterruptedJobPolicy
{
    /// <summary>Mark them failed with the error "interrupted by a server restart" (default: a client sees the loss and decides).</summary>
    Fail,
    /// <summary>Put them back in the queue; they run again from the start with the same id.</summary>
    Requeue,
}
