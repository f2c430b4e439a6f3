namespace Wan.Server.Jobs;

/// <summary>
/// What a starting server does with the previous process's unfinished jobs: queued ones are queued
/// again; running ones (interrupted mid-generation) are failed or re-queued by the
/// <see cref="InterruptedJobPolicy"/>. Half-written result files are deleted. Finished jobs are untouched.
/// </summary>
public sealed class JobRecovery(IJobStore store, JobEventHub events, ResultFolder results, InterruptedJobPolicy policy, TimeProvider time)
{
    /// <summary>Interrupted-job error text.</summary>
    public const string InterruptedError = "interrupted by a server restart";

    /// <summary>Applies the policy and returns the jobs to queue again, oldest first.</summary>
    public IReadOnlyList<VideoJob> Recover()
    {
        results.RemovePartialFiles();
        var requeue = new List<VideoJob>();
        foreach (var job in store.ListUnfinished())
        {
            if (job.State == JobState.Running && policy == InterruptedJobPolicy.Fail)
            {
                store.Save(job with { State = JobState.Failed, Error = InterruptedError, FinishedAt = time.GetUtcNow() });
                continue;
            }
            var queued = job with { State = JobState.Queued, Progress = 0, StartedAt = null };
            store.Save(queued);
            events.Open(queued.Id, new JobEvent(JobEventKinds.Queued, 0));
            requeue.Add(queued);
        }
        return requeue;
    }
}
