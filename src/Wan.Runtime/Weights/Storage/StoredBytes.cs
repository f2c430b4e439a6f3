namespace Wan.Runtime.Weights.Storage;

/// <summary>
/// A tensor's bytes held alive by one reference on their <see cref="TensorStorage"/>: valid until
/// this lease is disposed (a backend keeps the lease as long as it keeps the weight).
/// </summary>
public sealed unsafe class StoredBytes : IDisposable
{
    private readonly byte* _pointer;
    private int _disposed;

    internal StoredBytes(TensorStorage storage, byte* pointer, long length)
    {
        Storage = storage;
        _pointer = pointer;
        Length = length;
    }

    /// <summary>The storage the bytes lie in.</summary>
    public TensorStorage Storage { get; }

    /// <summary>Number of bytes.</summary>
    public long Length { get; }

    /// <summary>First byte. Throws <see cref="ObjectDisposedException"/> once this lease is disposed.</summary>
    public byte* Pointer
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            return _pointer;
        }
    }

    /// <summary>Bytes [start, start + length); throws <see cref="ArgumentOutOfRangeException"/> outside the lease.</summary>
    public ReadOnlySpan<byte> Span(long start, int length)
    {
        if (start < 0 || length < 0 || start > Length - length)
        {
            throw new ArgumentOutOfRangeException(nameof(start), $"{Storage.Location}: bytes [{start}, {start}+{length}) outside a {Length}-byte tensor");
        }
        return new ReadOnlySpan<byte>(Pointer + start, length);
    }

    /// <summary>Another lease on the same bytes, with its own reference (e.g. for a reshaped view).</summary>
    public StoredBytes Share()
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        Storage.AddReference();
        return new StoredBytes(Storage, _pointer, Length);
    }

    /// <summary>Drops this weight's pages from the resident set where the storage allows it (mapped files).</summary>
    public void ReleasePages() => Storage.ReleasePages(Pointer, Length);

    /// <summary>Releases the reference (once).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Storage.Release();
        }
    }
}
