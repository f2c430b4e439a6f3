using Wan.Runtime.Backends;

namespace Wan.Runtime.Tensors;

/// <summary>
/// A dense row-major tensor owned by one backend. The backend that created it is the only one
/// that may read it; disposing frees its storage (device memory for CUDA, nothing to do on the CPU).
/// </summary>
public abstract class Tensor : IDisposable
{
    protected Tensor(IBackend backend, Shape shape, DType dtype)
    {
        Backend = backend;
        Shape = shape;
        DType = dtype;
    }

    public IBackend Backend { get; }
    public Shape Shape { get; }
    public DType DType { get; }
    public long ElementCount => Shape.ElementCount;

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing) { }

    public override string ToString() => $"{DType}{Shape} on {Backend.Name}";
}
