namespace Wan.Kernels.Interop;

/// <summary>The driver is installed but sees no GPU (cuInit → CUDA_ERROR_NO_DEVICE).</summary>
public sealed class NoCudaDeviceException : CudaException
{
    /// <summary>CUDA_ERROR_NO_DEVICE from <paramref name="function"/>, with a hint at the emulated device.</summary>
    public NoCudaDeviceException(string function, int code, string codeName)
        : base(function, code, codeName,
            "no CUDA device: the NVIDIA driver library is installed but sees no GPU on this machine " +
            "(use the emulated device, or run where nvidia-smi lists a GPU)")
    {
    }
}
