namespace Wan.Server.Jobs;

/// <summary>
/// Runs one job on an engine: generates the video, writes it to the given path (temporary name, then
/// rename), reports progress, and stops at the engine's next block when cancelled. The local server's
/// is <see cref="EngineJobRunner"/>; a scale-out worker process runs the same interface on its GPU.
/// </summary>
public interface IJobRunner
{
    /// <summary>Generates <paramref name="job"/> into <paramref name="outputPath"/>.</summary>
    /// <param name="job">the job (its <see cref="VideoJob.Spec"/> was validated when accepted).</param>
    /// <param name="outputPath">where the finished video goes; nothing is there unless the run succeeds.</param>
    /// <param name="report">called for every progress event (on the generating thread).</param>
    /// <param name="cancellation">stops the run at the next block, step or decoded frame.</param>
    /// <returns>where the time went.</returns>
    /// <exception cref="OperationCanceledException">cancelled.</exception>
    /// <exception cref="Exception">the engine failed (the message is one line naming the cause).</exception>
    Task<JobTimings> RunAsync(VideoJob job, string outputPath, Action<JobEvent> report, CancellationToken cancellation);
}
