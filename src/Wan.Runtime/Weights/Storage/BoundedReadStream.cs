using Microsoft.Win32.SafeHandles;

namespace Wan.Runtime.Weights.Storage;

/// <summary>
/// Exactly <see cref="Length"/> bytes read forward only, from a byte range of a file, a window of another stream, or
/// any reader: the one read-only stream of the weight readers (mapped files, transformed tensors, the converter's .pth
/// entries). Data that ends before <see cref="Length"/> is an <see cref="EndOfStreamException"/> naming what was read,
/// never a short read that a caller might take for the end.
/// </summary>
internal sealed class BoundedReadStream : Stream
{
    /// <summary>Reads up to <c>buffer.Length</c> bytes at <c>position</c> (bytes already read); 0 means the data ended.</summary>
    public delegate int Reader(Span<byte> buffer, long position);

    private readonly Reader _read;
    private readonly long _length;
    private readonly string _what;
    private readonly Action? _release;
    private long _position;
    private int _disposed;

    /// <summary>A stream of <paramref name="length"/> bytes from <paramref name="read"/>.</summary>
    /// <param name="read">the source of the bytes, called with the number of bytes already read.</param>
    /// <param name="length">bytes in the stream.</param>
    /// <param name="what">names the data in errors, e.g. "model.safetensors: tensor 'x'".</param>
    /// <param name="release">called once when the stream is disposed (frees what the reader uses), or null.</param>
    public BoundedReadStream(Reader read, long length, string what, Action? release)
    {
        _read = read;
        _length = length;
        _what = what;
        _release = release;
    }

    /// <summary>Bytes [start, start + length) of an open file, read with positioned reads (no shared file position).</summary>
    /// <param name="file">the file; must stay open until <paramref name="release"/> is called.</param>
    /// <param name="start">first byte.</param>
    /// <param name="length">bytes in the range.</param>
    /// <param name="what">names the file in errors.</param>
    /// <param name="release">called when the stream is disposed (drops the reference that keeps the file open).</param>
    public static BoundedReadStream OfFile(SafeFileHandle file, long start, long length, string what, Action release) =>
        new((buffer, position) => RandomAccess.Read(file, buffer, start + position), length, what, release);

    /// <summary>
    /// The window [start, start + length) of <paramref name="inner"/>, which the stream then owns. Skips to the start by
    /// seeking when the inner stream can, else by reading.
    /// </summary>
    /// <exception cref="EndOfStreamException">the window starts past the end of the inner stream.</exception>
    public static BoundedReadStream Window(Stream inner, long start, long length, string what)
    {
        Skip(inner, start, what);
        return new BoundedReadStream((buffer, _) => inner.Read(buffer), length, what, inner.Dispose);
    }

    private static void Skip(Stream inner, long count, string what)
    {
        if (inner.CanSeek)
        {
            if (inner.Length - inner.Position < count)
            {
                throw new EndOfStreamException($"{what}: starts past the end of its data");
            }
            inner.Seek(count, SeekOrigin.Current);
            return;
        }
        var buffer = new byte[Math.Min(count, 1 << 16)];
        while (count > 0)
        {
            var n = inner.Read(buffer, 0, (int)Math.Min(buffer.Length, count));
            if (n == 0)
            {
                throw new EndOfStreamException($"{what}: starts past the end of its data");
            }
            count -= n;
        }
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var want = (int)Math.Min(buffer.Length, _length - _position);
        if (want == 0)
        {
            return 0;
        }
        var n = _read(buffer[..want], _position);
        if (n == 0)
        {
            throw new EndOfStreamException($"{_what}: data ends after {_position} of {_length} bytes (truncated file?)");
        }
        _position += n;
        return n;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && disposing)
        {
            _release?.Invoke();
        }
        base.Dispose(disposing);
    }
}
