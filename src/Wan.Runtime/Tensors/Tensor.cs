using Wan.Runtime.Backends;

namespace Wan.Runtime.Tensors;

/// <summary>
/// A dense row-major tensor owned by one backend. The backend that created it is the only one
/// that may read it; disposing frees its storage (device memory for CUDA, nothing to do on the CPU).
/// </summary>
public abstract class Tensor : IDisposable
{
    /// <summary>A tensor of <paramref name="backend"/> with the given shape and storage dtype.</summary>
    protected Tensor(IBackend backend, Shape shape, DType dtype)
    {
        Backend = backend;
        Shape = shape;
        DType = dtype;
    }

    /// <summary>The backend that owns the storage (the only one that may read it).</summary>
    public IBackend Backend { get; }

    /// <summary>Row-major shape.</summary>
    public Shape Shape { get; }

    /// <summary>The element type the backend stores it in.</summary>
    public DType DType { get; }

    /// <summary>Number of elements.</summary>
    public long ElementCount => Shape.ElementCount;

    /// <summary>Frees the storage (device memory, or a lease on mapped bytes).</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees the backend's storage; called once by <see cref="Dispose()"/>.</summary>
    protected virtual void Dispose(bool disposing) { }

    /// <summary>"DType[shape] on backend".</summary>
    public override string ToString() => $"{DType}{Shape} on {Backend.Name}";
}
