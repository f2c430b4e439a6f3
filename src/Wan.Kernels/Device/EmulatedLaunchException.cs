using Wan.Errors;

namespace Wan.Kernels.Device;

/// <summary>A kernel launch the emulated device refused or a kernel that failed (e.g. barrier divergence).</summary>
public sealed class EmulatedLaunchException(string kernel, string message) : DeviceException(message)
{
    /// <summary>The kernel whose launch failed.</summary>
    public string Kernel { get; } = kernel;
}
