using Wan.Creative.PostProcessing;
using Wan.Creative.Safety;
using Wan.Runtime.Video;

namespace Wan.Creative;

/// <summary>
/// The last step of a job (CLI and service alike): the frame classifier (if any) scores the video, then it is written —
/// MP4 through the finishing pass (<see cref="Mp4Finisher"/>: labels, post-processing), other formats as they are.
/// Owns the classifier.
/// </summary>
/// <param name="Mp4">The finishing options for an MP4 output; null for other formats.</param>
/// <param name="Classifier">The safety frame classifier, or null.</param>
public sealed record CreativeOutput(FinishingOptions? Mp4, FrameClassifier? Classifier) : IDisposable
{
    /// <summary>Scores, then writes <paramref name="video"/> to <paramref name="path"/>.</summary>
    /// <returns>The path written (for one PNG frame: the frame file; see <see cref="VideoOutput.Write"/>).</returns>
    /// <exception cref="ContentRefusedException">The classifier refused the video; nothing was written.</exception>
    /// <exception cref="IOException">ffmpeg or the file system failed.</exception>
    public string Write(VideoFrames video, string path, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(video);
        Classifier?.Enforce(video);
        return Mp4 is not null ? Mp4Finisher.Write(video, path, Mp4, cancellation).Path : VideoOutput.Write(video, path, cancellation);
    }

    /// <summary>
    /// A sink writing a video of <paramref name="frames"/> frames to <paramref name="path"/>: MP4 through the finishing pass,
    /// other formats as they are, streamed as decoded. With a classifier only its sampled frames are kept besides; a
    /// refusal surfaces from <see cref="IVideoSink.Complete"/> as <see cref="ContentRefusedException"/> and nothing is written.
    /// </summary>
    /// <param name="path">the output path; its extension selects the format.</param>
    /// <param name="frames">frames the video will have.</param>
    /// <exception cref="Wan.Errors.RequestException">the path or a finishing option is unusable.</exception>
    /// <exception cref="FileNotFoundException">ffmpeg or the label font is missing (MP4).</exception>
    public IVideoSink Open(string path, int frames)
    {
        IVideoSink sink = Mp4 is not null ? new Mp4Finisher(path, Mp4) : VideoOutput.Open(path, frames);
        return Classifier is null ? sink : new ClassifiedVideoSink(sink, Classifier);
    }

    /// <summary>Releases the classifier.</summary>
    public void Dispose() => Classifier?.Dispose();
}
