using Wan.Server.Telemetry;

namespace Wan.Server.Jobs;

/// <summary>
/// The life of one dequeued job: marks it running, runs it through the <see cref="IJobRunner"/>,
/// records the outcome (succeeded with its file, failed with the error, cancelled) in the store and
/// publishes every event. A job stopped because the server is shutting down is left as running in the
/// store, so the next start applies its <see cref="InterruptedJobPolicy"/>.
/// </summary>
public sealed class JobExecutor(IJobStore store, IJobRunner runner, JobEventHub events, ResultFolder results, ServerMetrics metrics, TimeProvider time)
{
    /// <summary>Runs <paramref name="job"/> to a terminal state.</summary>
    /// <param name="job">a queued job.</param>
    /// <param name="cancel">the client's cancellation.</param>
    /// <param name="stopping">the server's shutdown.</param>
    /// <returns>the job as stored afterwards.</returns>
    public async Task<VideoJob> ExecuteAsync(VideoJob job, CancellationToken cancel, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(job);
        var running = job with { State = JobState.Running, StartedAt = time.GetUtcNow() };
        store.Save(running);
        events.Publish(job.Id, new JobEvent(JobEventKinds.Running, 0));
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancel, stopping);
        VideoJob final;
        try
        {
            var timings = await runner.RunAsync(running, results.PathFor(running), e =>
            {
                if (e.Kind == JobEventKinds.Step && e.Seconds is { } seconds)
                {
                    metrics.RecordStep(seconds, e.Expert);
                }
                events.Publish(job.Id, e);
            }, linked.Token).ConfigureAwait(false);
            final = running with { State = JobState.Succeeded, Progress = 1, ResultPath = results.PathFor(running), Timings = timings, FinishedAt = time.GetUtcNow() };
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested && !cancel.IsCancellationRequested)
        {
            return running;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            final = running with { State = JobState.Cancelled, Progress = events.LatestProgress(job.Id) ?? 0, FinishedAt = time.GetUtcNow() };
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Every engine error is reported on the job, whatever its type: the server keeps serving.
            final = running with { State = JobState.Failed, Progress = events.LatestProgress(job.Id) ?? 0, Error = OneLine(e.Message), FinishedAt = time.GetUtcNow() };
        }
        store.Save(final);
        metrics.RecordFinished(final.State);
        events.Publish(job.Id, JobEventKinds.Terminal(final)!);
        return final;
    }

    private static string OneLine(string message) =>
        string.Join(" ", message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
