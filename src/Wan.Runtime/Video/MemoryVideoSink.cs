namespace Wan.Runtime.Video;

/// <summary>
/// Collects a streamed video into <see cref="VideoFrames"/>: for callers that need every frame at once (the seam
/// report, the safety classifier, tests). Holds the whole video, [T, H, W, 3] bytes.
/// </summary>
public sealed class MemoryVideoSink : VideoSink
{
    private byte[] _rgb = [];
    private VideoFrames? _video;

    /// <summary>The video, once <see cref="VideoSink.Complete"/> has run.</summary>
    /// <exception cref="InvalidOperationException">the sink is not complete.</exception>
    public VideoFrames Video => _video ?? throw new InvalidOperationException("the video is not complete");

    /// <inheritdoc/>
    protected override void OnBegin(VideoFormat format) => _rgb = new byte[checked((long)format.Frames * format.FrameBytes)];

    /// <inheritdoc/>
    protected override void OnFrame(ReadOnlySpan<byte> rgb, int index, CancellationToken cancellation) =>
        rgb.CopyTo(_rgb.AsSpan((int)((long)index * Format.FrameBytes)));

    /// <inheritdoc/>
    protected override void OnComplete() => _video = new VideoFrames(Format.Frames, Format.Height, Format.Width, _rgb, Format.Fps);

    /// <inheritdoc/>
    protected override void OnDispose(bool completed)
    {
    }
}
