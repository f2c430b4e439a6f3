using Wan.Kernels.Interop;
using Wan.Runtime.Tensors;
using Wan.Runtime.Weights;

namespace Wan.Runtime.Backends.Cpu;

/// <summary>
/// A weight left in its memory-mapped safetensors file in the stored dtype (F32, BF16 or F16). Ops
/// read it in float32 ranges (<see cref="ReadFloats"/>) so that only the part being used is ever
/// converted; the mapping stays open until every tensor viewing it is disposed.
/// </summary>
public sealed unsafe class MappedCpuTensor : Tensor
{
    private readonly MappedFiles.Entry _file;
    private readonly SafetensorsTensor _view;
    private int _disposed;

    internal MappedCpuTensor(CpuBackend backend, Shape shape, MappedFiles.Entry file, SafetensorsTensor view)
        : base(backend, shape, view.DType)
    {
        if (shape.ElementCount != view.ElementCount)
        {
            throw new ArgumentException($"shape {shape} does not match the {view.ElementCount} elements of weight '{view.Name}'");
        }
        _file = file;
        _view = view;
    }

    /// <summary>The stored tensor's name (for messages).</summary>
    public string Name => _view.Name;

    /// <summary>A view with another shape of the same element count, holding its own reference to the mapping.</summary>
    internal MappedCpuTensor Reshaped(Shape shape) => new((CpuBackend)Backend, shape, _file.AddReference(), _view);

    /// <summary>Converts elements [first, first + dst.Length) to float32.</summary>
    public void ReadFloats(long first, Span<float> dst)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (first < 0 || first + dst.Length > ElementCount)
        {
            throw new ArgumentOutOfRangeException(nameof(first), $"elements [{first}, {first + dst.Length}) outside weight '{Name}' {Shape}");
        }
        StoredFloats.Convert(_view.Pointer + first * DType.SizeOf(), DType, dst);
    }

    /// <summary>
    /// Elements [first, first + count) of an F32 weight in place in the mapping (no copy); valid
    /// while this tensor is alive.
    /// </summary>
    internal ReadOnlySpan<float> F32Span(long first, int count)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (DType != DType.F32 || first < 0 || first + count > ElementCount)
        {
            throw new InvalidOperationException($"weight '{Name}' ({DType}{Shape}): no float32 view of elements [{first}, {first + count})");
        }
        return new ReadOnlySpan<float>(_view.Pointer + first * sizeof(float), count);
    }

    /// <summary>
    /// Drops this weight's pages from the process's resident set (madvise DONTNEED on its byte
    /// range). The data stays valid: a later read faults the pages back in from the page cache.
    /// </summary>
    public void ReleasePages()
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        Libc.DropMappedPages(_view.Pointer, ElementCount * DType.SizeOf());
    }

    /// <summary>The whole weight as a new float32 array (for ops that need it all at once).</summary>
    public float[] ToFloatArray()
    {
        var data = new float[checked((int)ElementCount)];
        ReadFloats(0, data);
        return data;
    }

    protected override void Dispose(bool disposing)
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _file.Release();
        }
    }
}
