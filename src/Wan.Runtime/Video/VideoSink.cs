namespace Wan.Runtime.Video;

/// <summary>
/// The bookkeeping every <see cref="IVideoSink"/> shares: call order, whole frames, the declared frame count, and
/// clean-up of an unfinished output. A writer implements the four steps on single frames.
/// </summary>
public abstract class VideoSink : IVideoSink
{
    private VideoFormat? _format;
    private int _written;
    private bool _completed;
    private bool _disposed;

    /// <summary>The format given to <see cref="Begin"/>.</summary>
    /// <exception cref="InvalidOperationException">before <see cref="Begin"/>.</exception>
    protected VideoFormat Format => _format ?? throw new InvalidOperationException("the video sink has not begun");

    /// <inheritdoc/>
    public void Begin(VideoFormat format)
    {
        ArgumentNullException.ThrowIfNull(format);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_format is not null)
        {
            throw new InvalidOperationException("the video sink has already begun");
        }
        _format = format;
        OnBegin(format);
    }

    /// <inheritdoc/>
    public void WriteFrames(ReadOnlySpan<byte> rgb, CancellationToken cancellation = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var format = Format;
        if (_completed)
        {
            throw new InvalidOperationException("the video sink is complete");
        }
        if (rgb.Length % format.FrameBytes != 0)
        {
            throw new ArgumentException($"{rgb.Length} bytes are not whole RGB frames of {format.Width}x{format.Height}", nameof(rgb));
        }
        int frames = rgb.Length / format.FrameBytes;
        if (frames > format.Frames - _written)
        {
            throw new ArgumentException($"{frames} more frames exceed the {format.Frames} declared ({_written} written)", nameof(rgb));
        }
        for (int f = 0; f < frames; f++)
        {
            cancellation.ThrowIfCancellationRequested();
            OnFrame(rgb.Slice(f * format.FrameBytes, format.FrameBytes), _written, cancellation);
            _written++;
        }
    }

    /// <inheritdoc/>
    public void Complete()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var format = Format;
        if (_completed)
        {
            throw new InvalidOperationException("the video sink is already complete");
        }
        if (_written != format.Frames)
        {
            throw new InvalidOperationException($"{_written} of the {format.Frames} declared frames were written");
        }
        OnComplete();
        _completed = true;
    }

    /// <summary>Releases the output; one that was not completed is removed.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        OnDispose(_completed);
        GC.SuppressFinalize(this);
    }

    /// <summary>Creates the temporary output and writes what precedes the frames.</summary>
    /// <param name="format">what follows.</param>
    protected abstract void OnBegin(VideoFormat format);

    /// <summary>Writes one frame.</summary>
    /// <param name="rgb">the frame, [H, W, 3].</param>
    /// <param name="index">its index in the video, 0 to T − 1.</param>
    /// <param name="cancellation">for writers that block on an encoder.</param>
    protected abstract void OnFrame(ReadOnlySpan<byte> rgb, int index, CancellationToken cancellation);

    /// <summary>Writes what follows the frames and renames the output into place.</summary>
    protected abstract void OnComplete();

    /// <summary>Releases the output; when <paramref name="completed"/> is false, removes what was written.</summary>
    /// <param name="completed">whether <see cref="Complete"/> succeeded.</param>
    protected abstract void OnDispose(bool completed);
}
