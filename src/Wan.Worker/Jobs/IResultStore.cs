namespace Wan.Worker.Jobs;

/// <summary>
/// Where workers record attempts and finished jobs, shared by every worker (and read by the API nodes).
/// Completion is idempotent by job id: the first completion wins, later ones are refused.
/// </summary>
public interface IResultStore : IDisposable
{
    /// <summary>The completion of a job, null when it has not finished.</summary>
    JobCompletion? Completion(string jobId);

    /// <summary>Records that <paramref name="worker"/> started <paramref name="jobId"/> (a redelivered job gets a second row).</summary>
    void RecordAttempt(string jobId, string worker);

    /// <summary>Records the result of a job unless it already has one; true when this call recorded it.</summary>
    bool TryComplete(string jobId, string worker, string resultPath);

    /// <summary>Every completion, ordered by job id.</summary>
    IReadOnlyList<JobCompletion> Completions();

    /// <summary>The workers that started a job, in order.</summary>
    IReadOnlyList<string> Attempts(string jobId);
}

/// <summary>A finished job: who finished it, where its video is, when (UTC).</summary>
public sealed record JobCompletion(string JobId, string Worker, string ResultPath, DateTime CompletedUtc);
