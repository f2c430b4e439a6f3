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

    void CopyToDevice(ReadOnlySpan<byte> source, DeviceBuffer destination, long destinationOffset = 0);

    void CopyToHost(DeviceBuffer source, long sourceOffset, Span<byte> destination);

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
}
