using Wan.Runtime.IO;

namespace Wan.Runtime.Video;

/// <summary>
/// A sink that writes one file through a stream: the stream is a temporary beside the target
/// (<see cref="AtomicOutput.TempPathFor"/>), renamed into place by <see cref="VideoSink.Complete"/> and deleted when
/// the sink is disposed unfinished. Errors name the target, never the temporary.
/// </summary>
public abstract class FileVideoSink : VideoSink
{
    private readonly string _temp;
    private FileStream? _stream;

    /// <summary>A sink that will write <paramref name="path"/>.</summary>
    /// <param name="path">the file to produce.</param>
    protected FileVideoSink(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        _temp = AtomicOutput.TempPathFor(Path);
    }

    /// <summary>The file this sink produces.</summary>
    public string Path { get; }

    /// <summary>Writes what precedes the frames.</summary>
    /// <param name="output">the temporary file.</param>
    /// <param name="format">what follows.</param>
    protected abstract void WriteHeader(Stream output, VideoFormat format);

    /// <summary>Writes one frame.</summary>
    /// <param name="output">the temporary file.</param>
    /// <param name="rgb">the frame, [H, W, 3].</param>
    /// <param name="index">its index in the video.</param>
    protected abstract void WriteFrame(Stream output, ReadOnlySpan<byte> rgb, int index);

    /// <summary>Writes what follows the frames.</summary>
    /// <param name="output">the temporary file.</param>
    protected abstract void WriteTrailer(Stream output);

    /// <inheritdoc/>
    protected sealed override void OnBegin(VideoFormat format)
    {
        NamingTarget(() =>
        {
            _stream = new FileStream(_temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
            WriteHeader(_stream, format);
        });
    }

    /// <inheritdoc/>
    protected sealed override void OnFrame(ReadOnlySpan<byte> rgb, int index, CancellationToken cancellation)
    {
        try
        {
            WriteFrame(_stream!, rgb, index);
        }
        catch (IOException e)
        {
            throw new IOException($"{Path}: {AtomicOutput.NamingTarget(e.Message, _temp, Path)}", e);
        }
    }

    /// <inheritdoc/>
    protected sealed override void OnComplete()
    {
        NamingTarget(() =>
        {
            WriteTrailer(_stream!);
            _stream!.Flush(true);
            _stream.Dispose();
            File.Move(_temp, Path, true);
        });
    }

    /// <inheritdoc/>
    protected sealed override void OnDispose(bool completed)
    {
        _stream?.Dispose();
        if (!completed && File.Exists(_temp))
        {
            File.Delete(_temp);
        }
    }

    private void NamingTarget(Action action)
    {
        try
        {
            action();
        }
        catch (IOException e)
        {
            throw new IOException($"{Path}: {AtomicOutput.NamingTarget(e.Message, _temp, Path)}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new UnauthorizedAccessException($"{Path}: {AtomicOutput.NamingTarget(e.Message, _temp, Path)}", e);
        }
    }
}
