using Wan.Creative.PostProcessing;
using Wan.Creative.Safety;
using Wan.Runtime.Video;

namespace Wan.Cli;

/// <summary>The last step of <c>wan generate</c>: the frame classifier (if any) scores the video, then it is written — MP4 through the finishing pass (labels, post-processing), other formats as they are.</summary>
/// <param name="Mp4">The finishing options for an MP4 output; null for other formats.</param>
/// <param name="Classifier">The safety frame classifier, or null.</param>
internal sealed record VideoFinishing(FinishingOptions? Mp4, FrameClassifier? Classifier) : IDisposable
{
    /// <summary>Scores, then writes <paramref name="video"/> to <paramref name="path"/>.</summary>
    /// <exception cref="ContentRefusedException">The classifier refused the video; nothing was written.</exception>
    public void Write(VideoFrames video, string path, CancellationToken cancellation)
    {
        Classifier?.Enforce(video);
        if (Mp4 is not null)
        {
            Mp4Finisher.Write(video, path, Mp4, cancellation);
        }
        else
        {
            VideoOutput.Write(video, path, cancellation);
        }
    }

    /// <summary>Releases the classifier.</summary>
    public void Dispose() => Classifier?.Dispose();
}
