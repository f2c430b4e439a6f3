namespace Wan.Runtime.Video;

/// <summary>
/// A video written as it is decoded, so host memory holds one chunk of frames, never the whole video:
/// <see cref="Begin"/> once, <see cref="WriteFrames"/> for consecutive chunks, <see cref="Complete"/> to finish.
/// File writers write under a temporary name that <see cref="Complete"/> renames into place; disposing a sink that
/// was not completed (cancelled, failed, refused) removes the temporary, so nothing that looks finished is left.
/// </summary>
public interface IVideoSink : IDisposable
{
    /// <summary>Starts the video: creates the temporary output, writes headers, starts the encoder.</summary>
    /// <param name="format">the size, frame count and rate of what follows.</param>
    /// <exception cref="InvalidOperationException">called twice.</exception>
    /// <exception cref="ArgumentException">the format is not writable in this sink's format (e.g. GIF over 65535 pixels).</exception>
    /// <exception cref="IOException">the output could not be created (message names the target).</exception>
    void Begin(VideoFormat format);

    /// <summary>Appends the next frames.</summary>
    /// <param name="rgb">whole frames, 8-bit RGB [n, H, W, 3]; the sink does not keep the span.</param>
    /// <param name="cancellation">checked between frames.</param>
    /// <exception cref="InvalidOperationException">before <see cref="Begin"/>, or after <see cref="Complete"/>.</exception>
    /// <exception cref="ArgumentException">not whole frames, or more frames than the format declared.</exception>
    /// <exception cref="IOException">writing failed (message names the target).</exception>
    /// <exception cref="OperationCanceledException">cancelled; dispose the sink.</exception>
    void WriteFrames(ReadOnlySpan<byte> rgb, CancellationToken cancellation = default);

    /// <summary>Finishes the video and renames it into place.</summary>
    /// <exception cref="InvalidOperationException">fewer frames were written than the format declared.</exception>
    /// <exception cref="IOException">finishing failed (message names the target).</exception>
    void Complete();
}
