namespace Wan.Runtime.Weights.Storage;

/// <summary>
/// A reference-counted block of bytes that stored tensors lie in: a memory-mapped file
/// (<see cref="MappedFileStorage"/>) or a native buffer (<see cref="NativeTensorStorage"/>). The creator
/// holds the first reference; every <see cref="StoredBytes"/> lease holds one more, so a weight a
/// backend keeps stays valid after the checkpoint that opened it is closed. The bytes are freed
/// when the last reference is released.
/// </summary>
public abstract unsafe class TensorStorage
{
    private readonly byte* _base;
    private int _references = 1;

    /// <param name="basePointer">First byte; must stay valid until <see cref="Free"/>.</param>
    /// <param name="length">Bytes at <paramref name="basePointer"/>.</param>
    /// <param name="location">Where the bytes come from (a file path, or a description), for messages.</param>
    protected TensorStorage(byte* basePointer, long length, string location)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _base = basePointer;
        Length = length;
        Location = location;
    }

    /// <summary>Where the bytes come from, for messages.</summary>
    public string Location { get; }

    /// <summary>Size in bytes.</summary>
    public long Length { get; }

    /// <summary>
    /// A lease on bytes [offset, offset + length), holding one reference until it is disposed.
    /// Throws <see cref="ArgumentOutOfRangeException"/> outside the storage and
    /// <see cref="ObjectDisposedException"/> naming the location once the last reference is gone.
    /// </summary>
    public StoredBytes Lease(long offset, long length)
    {
        if (offset < 0 || length < 0 || offset > Length - length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"{Location}: bytes [{offset}, {offset}+{length}) outside its {Length} bytes");
        }
        AddReference();
        return new StoredBytes(this, _base + offset, length);
    }

    /// <summary>
    /// A read-only stream of bytes [offset, offset + length), holding a reference until disposed.
    /// The default reads the bytes in place; a file overrides it to read with ordinary file reads.
    /// </summary>
    public virtual Stream OpenRange(long offset, long length)
    {
        var lease = Lease(offset, length);
        return new LeasedMemoryStream(lease);
    }

    /// <summary>
    /// Hints that bytes [pointer, pointer + length) are not needed in memory for now. A mapped file
    /// drops the pages from the resident set (they fault back in from the page cache when read);
    /// other storages keep them, since dropping anonymous pages would lose the data.
    /// </summary>
    internal virtual void ReleasePages(byte* pointer, long length) { }

    internal void AddReference()
    {
        int seen;
        do
        {
            seen = Volatile.Read(ref _references);
            if (seen == 0)
            {
                throw new ObjectDisposedException(GetType().Name, $"{Location}: its weights were closed");
            }
        }
        while (Interlocked.CompareExchange(ref _references, seen + 1, seen) != seen);
    }

    /// <summary>Drops one reference; the last one frees the bytes.</summary>
    public void Release()
    {
        var left = Interlocked.Decrement(ref _references);
        if (left == 0)
        {
            Free();
        }
        else if (left < 0)
        {
            throw new InvalidOperationException($"{Location}: storage released more often than referenced");
        }
    }

    /// <summary>Frees the bytes; called once, when the last reference is released.</summary>
    protected abstract void Free();

    private sealed class LeasedMemoryStream(StoredBytes lease)
        : UnmanagedMemoryStream(lease.Pointer, lease.Length)
    {
        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            if (disposing)
            {
                lease.Dispose();
            }
        }
    }
}
