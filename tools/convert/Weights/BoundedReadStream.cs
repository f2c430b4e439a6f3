namespace Wan.Convert.Weights;

/// <summary>
/// The window [start, start + length) of an inner stream, read forward only. Skips by seeking when the
/// inner stream can, else by reading; a window that runs past the inner stream's end is an error
/// naming <c>what</c>, not a short read.
/// </summary>
internal sealed class BoundedReadStream : Stream
{
    private readonly Stream _inner;
    private readonly long _length;
    private readonly string _what;
    private long _position;

    public BoundedReadStream(Stream inner, long start, long length, string what)
    {
        _inner = inner;
        _length = length;
        _what = what;
        Skip(start);
    }

    private void Skip(long count)
    {
        if (_inner.CanSeek)
        {
            if (_inner.Length - _inner.Position < count)
            {
                throw new EndOfStreamException($"{_what}: starts past the end of its data");
            }
            _inner.Seek(count, SeekOrigin.Current);
            return;
        }
        var buffer = new byte[Math.Min(count, 1 << 16)];
        while (count > 0)
        {
            var n = _inner.Read(buffer, 0, (int)Math.Min(buffer.Length, count));
            if (n == 0)
            {
                throw new EndOfStreamException($"{_what}: starts past the end of its data");
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
        var want = (int)Math.Min(buffer.Length, _length - _position);
        if (want == 0)
        {
            return 0;
        }
        var n = _inner.Read(buffer[..want]);
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
        if (disposing)
        {
            _inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
