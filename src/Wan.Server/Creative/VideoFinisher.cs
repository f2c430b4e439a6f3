using Wan.Creative.PostProcessing;
using Wan.Creative.Safety;
using Wan.Runtime.Video;
using Wan.Server.Jobs;

namespace Wan.Server.Creative;

/// <summary>
/// The last step of a service job (the service's <see cref="Wan.Creative.CreativeOutput"/>): the frame classifier (if
/// configured) scores the video, then it is written — an MP4 through <see cref="Mp4Finisher"/> with the job's
/// post-processing and AI label (the metadata label on by default, content id = job id unless the request gave one),
/// other formats as they are. Either way under a temporary name, then renamed.
/// </summary>
/// <param name="assets">Where the job's file names are resolved.</param>
/// <param name="classifier">The frame classifier, or null; owned by <see cref="CreativeService"/>.</param>
public sealed class VideoFinisher(AssetFolder assets, FrameClassifier? classifier)
{
    /// <summary>Scores, then writes <paramref name="video"/> ([F, H, W, 3] frames) of <paramref name="job"/> to <paramref name="path"/>.</summary>
    /// <returns>The path written.</returns>
    /// <exception cref="ContentRefusedException">The classifier refused the video (the job fails with this reason); nothing was written.</exception>
    /// <exception cref="IOException">ffmpeg or the file system failed.</exception>
    /// <exception cref="InvalidDataException">The stored post-processing object no longer parses.</exception>
    public string Write(VideoJob job, VideoFrames video, string path, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(video);
        classifier?.Enforce(video);
        if (job.Spec.Format != "mp4")
        {
            return VideoOutput.Write(video, path, cancellation);
        }
        return Mp4Finisher.Write(video, path, Finishing(job), cancellation).Path;
    }

    /// <summary>The finishing options of <paramref name="job"/>: its post-processing object resolved in the assets folder, the label's content id defaulting to the job id.</summary>
    internal FinishingOptions Finishing(VideoJob job)
    {
        var options = job.Spec.Creative?.Post is { } post
            ? PostProcessManifest.Parse(post, assets.Root ?? Directory.GetCurrentDirectory(), "post")
            : FinishingOptions.Default;
        return options with { Label = options.Label with { ContentId = options.Label.ContentId ?? job.Id } };
    }
}
