using Wan.Creative.Safety;
using Wan.Runtime.Video;

namespace Wan.Creative;

/// <summary>
/// Holds a streamed video until the safety classifier has scored it, then writes it into the real sink: a refused video
/// never reaches the output. The classifier scores the whole video, so this sink holds it in memory ([T, H, W, 3]
/// bytes); without a classifier <see cref="CreativeOutput.Open"/> streams directly.
/// </summary>
internal sealed class ClassifiedVideoSink(IVideoSink inner, FrameClassifier classifier, CancellationToken cancellation) : VideoSink
{
    private readonly MemoryVideoSink _held = new();

    protected override void OnBegin(VideoFormat format) => _held.Begin(format);

    protected override void OnFrame(ReadOnlySpan<byte> rgb, int index, CancellationToken frameCancellation) => _held.WriteFrames(rgb, frameCancellation);

    /// <exception cref="ContentRefusedException">the classifier refused the video; nothing was written.</exception>
    protected override void OnComplete()
    {
        _held.Complete();
        classifier.Enforce(_held.Video);
        _held.Video.WriteTo(inner, cancellation);
    }

    protected override void OnDispose(bool completed)
    {
        _held.Dispose();
        inner.Dispose();
    }
}
