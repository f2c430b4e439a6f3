using Wan.Errors;

namespace Wan.Kernels.Device;

/// <summary>A kernel launch the emulated device refused or a kernel that failed (e.g. barrier divergence).</summary>
public sealed class EmulatedLaunchException(string kernel, string message) : DeviceException(message)
{
    public string Kernel { get; } = kernel;
}
