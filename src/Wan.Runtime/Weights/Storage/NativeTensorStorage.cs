using System.Runtime.InteropServices;

namespace Wan.Runtime.Weights.Storage;

/// <summary>A native (unmanaged, 64-byte aligned) buffer holding tensors computed at load time, e.g. by a transform.</summary>
public sealed unsafe class NativeTensorStorage : TensorStorage
{
    private NativeTensorStorage(byte* buffer, long length, string location)
        : base(buffer, length, location)
    {
        Buffer = buffer;
    }

    /// <summary>The writable buffer, for the code that fills it before handing out leases.</summary>
    internal byte* Buffer { get; }

    /// <summary>
    /// A new zero-filled buffer of <paramref name="length"/> bytes. Throws
    /// <see cref="InsufficientMemoryException"/> naming <paramref name="location"/> and the size when the host cannot allocate it.
    /// </summary>
    public static NativeTensorStorage Allocate(long length, string location)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        void* buffer;
        try
        {
            buffer = NativeMemory.AlignedAlloc((nuint)Math.Max(length, 1), 64);
        }
        catch (OutOfMemoryException)
        {
            throw new InsufficientMemoryException($"{location}: out of host memory allocating {length} bytes");
        }
        NativeMemory.Clear(buffer, (nuint)length);
        return new NativeTensorStorage((byte*)buffer, length, location);
    }

    /// <summary>
    /// Reads exactly <paramref name="length"/> bytes of <paramref name="source"/> into a new buffer and
    /// returns a lease on them (the lease is the buffer's only owner). Throws
    /// <see cref="EndOfStreamException"/> when the stream ends early.
    /// </summary>
    public static StoredBytes ReadAll(Stream source, long length, string location)
    {
        var storage = Allocate(length, location);
        try
        {
            for (long done = 0; done < length;)
            {
                var n = (int)Math.Min(length - done, 1 << 20);
                source.ReadExactly(new Span<byte>(storage.Buffer + done, n));
                done += n;
            }
            return storage.Lease(0, length);
        }
        finally
        {
            storage.Release();
        }
    }

    /// <summary>Frees the native buffer.</summary>
    protected override void Free() => NativeMemory.AlignedFree(Buffer);
}
