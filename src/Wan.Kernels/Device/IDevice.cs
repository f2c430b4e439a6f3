namespace Wan.Kernels.Device;

/// <summary>
/// Where kernels run: the real GPU (<c>CudaDevice</c>: driver API + cuBLAS) or the emulated device
/// (<c>EmulatedDevice</c>: the same .cu sources compiled by g++, OpenBLAS standing in for cuBLAS).
/// The CUDA backend is written once against this interface.
/// </summary>
public interface IDevice : IDisposable
{
    /// <summary>Human-readable name, e.g. "NVIDIA H100 (sm_90)" or "emulated (g++ fibers)".</summary>
    string Name { get; }

    /// <summary>Allocates device memory (contents undefined); zero bytes give an empty buffer on every device.</summary>
    DeviceBuffer Allocate(long bytes);

    /// <summary>Copies host bytes into <paramref name="destination"/> at <paramref name="destinationOffset"/>; returns when the source may be reused. Throws <see cref="ArgumentOutOfRangeException"/> outside the buffer, <see cref="GraphCaptureException"/> while capturing.</summary>
    void CopyToDevice(ReadOnlySpan<byte> source, DeviceBuffer destination, long destinationOffset = 0);

    /// <summary>Copies <paramref name="destination"/>.Length bytes from <paramref name="source"/> at <paramref name="sourceOffset"/>; returns when they are there. Throws <see cref="ArgumentOutOfRangeException"/> outside the buffer, <see cref="GraphCaptureException"/> while capturing.</summary>
    void CopyToHost(DeviceBuffer source, long sourceOffset, Span<byte> destination);

    /// <summary>Fills the whole buffer with <paramref name="value"/>; throws <see cref="GraphCaptureException"/> while capturing.</summary>
    void Memset(DeviceBuffer buffer, byte value);

    /// <summary>
    /// Launches an <c>extern "C"</c> kernel by name with the <c>cuLaunchKernel</c> argument array:
    /// <paramref name="args"/>[i] points at the value of parameter i.
    /// </summary>
    unsafe void Launch(string kernel, Dim3 grid, Dim3 block, int dynamicSharedBytes, void** args);

    /// <summary>Row-major (strided batched) GEMM with fp32 accumulation: C = α·op(A)·op(B) + β·C.</summary>
    void Gemm(in GemmDesc gemm);

    /// <summary>Waits until all queued work is done.</summary>
    void Synchronize();

    /// <summary>
    /// Records the kernel launches and GEMMs <paramref name="work"/> queues on the calling thread into a
    /// graph instead of running them. The same rules on every device: allocations inside come from the
    /// graph's own memory (a buffer freed inside is reused by later allocations inside; nothing is freed
    /// before the graph is disposed); copies between host and device, memsets and Synchronize throw
    /// <see cref="GraphCaptureException"/>; a buffer created before the capture and disposed inside it is
    /// freed with the graph.
    /// When <paramref name="work"/> throws, the capture is abandoned and that exception rethrown.
    /// </summary>
    DeviceGraph Capture(Action work);
}
