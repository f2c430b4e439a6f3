namespace Wan.Errors;

/// <summary>
/// The compute device cannot do what was asked: a native library is missing, no GPU is present,
/// a CUDA/NVRTC/cuBLAS call failed, or a kernel failed on the emulated device.
/// </summary>
public class DeviceException : WanException
{
    /// <summary>Creates the error with its one-line <paramref name="message"/>.</summary>
    /// <param name="message">one line naming the library, function or kernel, and the problem.</param>
    /// <param name="inner">the lower-level error, if any.</param>
    public DeviceException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
