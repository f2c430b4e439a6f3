namespace Wan.Runtime.Weights.Storage;

/// <summary>
/// Bytes [start, start + length) of a mapped file read forward with positioned reads on its handle;
/// holds a reference on the storage until disposed. A read that comes back short (the file shrank)
/// is an <see cref="EndOfStreamException"/> naming the file.
/// </summary>
internal sealed class FileRangeStream(MappedFileStorage storage, long start, long length) : Stream
{
    private long _position;
    private int _disposed;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var want = (int)Math.Min(buffer.Length, length - _position);
        if (want == 0)
        {
            return 0;
        }
        var n = RandomAccess.Read(storage.Handle, buffer[..want], start + _position);
        if (n == 0)
        {
            throw new EndOfStreamException($"{storage.Location}: data ends after {_position} of {length} bytes (file truncated while open?)");
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
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            storage.Release();
        }
        base.Dispose(disposing);
    }
}
