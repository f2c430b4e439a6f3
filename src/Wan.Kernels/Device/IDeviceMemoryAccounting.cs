namespace Wan.Kernels.Device;

/// <summary>
/// A device that counts its live allocations: the bytes of every <see cref="DeviceBuffer"/> it handed out and that is
/// not freed yet (graph arenas included; driver-internal memory such as the cuBLAS workspace and CUDA contexts not).
/// Read by monitoring (the server's <c>/metrics</c>); thread-safe.
/// </summary>
public interface IDeviceMemoryAccounting
{
    /// <summary>Bytes of live device buffers now.</summary>
    long AllocatedBytes { get; }
}
