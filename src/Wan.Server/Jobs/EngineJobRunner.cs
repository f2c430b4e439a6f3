using System.Diagnostics;
using Wan.Runtime.Engine;
using Wan.Runtime.Video;

namespace Wan.Server.Jobs;

/// <summary>
/// <see cref="IJobRunner"/> on a warm <see cref="WanEngine"/> in this process: <see cref="WanEngine.Generate"/>
/// on a dedicated thread (it is synchronous and serialises its callers), then
/// <see cref="VideoOutput.Write"/>, which writes under a temporary name and renames.
/// </summary>
/// <param name="engine">the engine; owned by the caller.</param>
/// <param name="finisher">classifies and writes the video with the job's post-processing and AI label (<c>wan serve</c>), or null to write it as it is.</param>
public sealed class EngineJobRunner(WanEngine engine, Creative.VideoFinisher? finisher = null) : IJobRunner
{
    /// <inheritdoc/>
    public Task<JobTimings> RunAsync(VideoJob job, string outputPath, Action<JobEvent> report, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(job);
        return Task.Factory.StartNew(() =>
        {
            var result = engine.Generate(job.Spec.ToGenerationRequest(), p => report(JobProgress.ToEvent(p)), cancellation);
            var writing = Stopwatch.StartNew();
            _ = finisher?.Write(job, result.Video, outputPath, cancellation) ?? VideoOutput.Write(result.Video, outputPath, cancellation);
            return new JobTimings(result.TextEncoding.TotalSeconds, result.Denoising.TotalSeconds, result.Decoding.TotalSeconds, writing.Elapsed.TotalSeconds);
        }, cancellation, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }
}
