using Wan.Creative.Safety;
using Wan.Runtime.Video;

namespace Wan.Creative;

/// <summary>
/// Streams a video into the real sink while keeping a copy of the frames the safety classifier samples
/// (<see cref="FrameClassifier.SampleFrames"/>: a fixed number, whatever the length); <see cref="VideoSink.Complete"/>
/// scores them and completes the real sink only when none is refused. A refused video is disposed unfinished, so its
/// temporary is deleted and nothing is written.
/// </summary>
internal sealed class ClassifiedVideoSink(IVideoSink inner, FrameClassifier classifier) : VideoSink
{
    private IReadOnlyList<int> _sampled = [];
    private byte[] _copies = [];

    protected override void OnBegin(VideoFormat format)
    {
        _sampled = classifier.SampleFrames(format.Frames);
        _copies = new byte[checked(_sampled.Count * format.FrameBytes)];
        inner.Begin(format);
    }

    protected override void OnFrame(ReadOnlySpan<byte> rgb, int index, CancellationToken cancellation)
    {
        for (int n = 0; n < _sampled.Count; n++)
        {
            if (_sampled[n] == index)
            {
                rgb.CopyTo(_copies.AsSpan(n * Format.FrameBytes));
            }
        }
        inner.WriteFrames(rgb, cancellation);
    }

    /// <exception cref="ContentRefusedException">the classifier refused the video; nothing was written.</exception>
    protected override void OnComplete()
    {
        classifier.EnforceSampled(new VideoFrames(_sampled.Count, Format.Height, Format.Width, _copies, Format.Fps), _sampled);
        inner.Complete();
    }

    protected override void OnDispose(bool completed) => inner.Dispose();
}
