using Wan.Kernels.Interop;

namespace Wan.Runtime.Backends.Cpu;

/// <summary>
/// A scope in which OpenBLAS runs every call on the calling thread, for work that is already split
/// across cores by the caller; disposing restores the previous thread count.
/// </summary>
internal readonly struct SingleThreadedBlas : IDisposable
{
    private readonly int _previous;

    private SingleThreadedBlas(int previous) => _previous = previous;

    public static SingleThreadedBlas Enter()
    {
        int previous = OpenBlas.GetNumThreads();
        OpenBlas.SetNumThreads(1);
        return new SingleThreadedBlas(previous);
    }

    public void Dispose() => OpenBlas.SetNumThreads(_previous);
}
