using Wan.Runtime.Tensors;
using Wan.Runtime.Weights.Storage;

namespace Wan.Runtime.Backends.Cpu;

/// <summary>
/// A weight left where it is stored (usually its memory-mapped safetensors file) in the stored dtype
/// (F32, BF16 or F16). Ops read it in float32 ranges (<see cref="ReadFloats"/>) so that only the part
/// being used is ever converted; its <see cref="StoredBytes"/> lease keeps the storage alive until this
/// tensor (and every reshaped view of it) is disposed, or the backend is.
/// </summary>
public sealed unsafe class MappedCpuTensor : Tensor
{
    private readonly WeightLeases _leases;
    private readonly StoredBytes _bytes;
    private int _disposed;

    internal MappedCpuTensor(CpuBackend backend, Shape shape, DType dtype, string name, WeightLeases leases, StoredBytes bytes)
        : base(backend, shape, dtype)
    {
        if (checked(shape.ElementCount * dtype.SizeOf()) != bytes.Length)
        {
            bytes.Dispose();
            throw new ArgumentException($"shape {shape} of {dtype} does not match the {bytes.Length} bytes of weight '{name}'");
        }
        Name = name;
        _leases = leases;
        _bytes = leases.Hold(bytes);
    }

    /// <summary>The stored tensor's name (for messages).</summary>
    public string Name { get; }

    /// <summary>A view with another shape of the same element count, holding its own lease on the storage.</summary>
    internal MappedCpuTensor Reshaped(Shape shape)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        return new((CpuBackend)Backend, shape, DType, Name, _leases, _bytes.Share());
    }

    /// <summary>Converts elements [first, first + dst.Length) to float32; <see cref="ObjectDisposedException"/> once disposed.</summary>
    public void ReadFloats(long first, Span<float> dst)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (first < 0 || first > ElementCount - dst.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(first), $"elements [{first}, {first}+{dst.Length}) outside weight '{Name}' {Shape}");
        }
        var size = DType.SizeOf();
        DTypeCodec.Decode(DType, new ReadOnlySpan<byte>(_bytes.Pointer + first * size, checked(dst.Length * size)), dst);
    }

    /// <summary>
    /// Elements [first, first + count) of an F32 weight in place in the storage (no copy); valid
    /// while this tensor is alive.
    /// </summary>
    internal ReadOnlySpan<float> F32Span(long first, int count)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (DType != DType.F32 || first < 0 || first > ElementCount - count)
        {
            throw new InvalidOperationException($"weight '{Name}' ({DType}{Shape}): no float32 view of elements [{first}, {first}+{count})");
        }
        return new ReadOnlySpan<float>(_bytes.Pointer + first * sizeof(float), count);
    }

    /// <summary>
    /// Drops this weight's pages from the process's resident set (madvise DONTNEED on its byte range
    /// of a mapped file). The data stays valid: a later read faults the pages back in from the page
    /// cache. A weight held in a native buffer (e.g. a transformed one) keeps its pages.
    /// </summary>
    public void ReleasePages()
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        _bytes.ReleasePages();
    }

    /// <summary>The whole weight as a new float32 array (for ops that need it all at once).</summary>
    public float[] ToFloatArray()
    {
        var data = new float[checked((int)ElementCount)];
        ReadFloats(0, data);
        return data;
    }

    /// <summary>Returns the lease on the stored bytes (once).</summary>
    protected override void Dispose(bool disposing)
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _leases.Return(_bytes);
        }
    }
}
