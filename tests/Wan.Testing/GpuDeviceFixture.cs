using Wan.Kernels.Compile;
using Wan.Kernels.Device;

namespace Wan.Testing;

/// <summary>
/// The preamble every real-GPU fixture shares: one <see cref="CudaDevice"/> opened for the fixture's tests and disposed
/// after them; without a usable GPU the fixture is ignored with the reason (never a silent pass).
/// </summary>
public abstract class GpuDeviceFixture
{
    private CudaDevice? _device;

    /// <summary>The fixture's CUDA device.</summary>
    protected CudaDevice Device => _device ?? throw new InvalidOperationException("device not opened");

    /// <summary>The kernel modules the device loads; null (the default) loads the runtime's, a fixture that launches test probes adds <see cref="KernelSources.TestKernels"/>.</summary>
    protected virtual IReadOnlyList<KernelSource>? Kernels => null;

    /// <summary>Opens the device, or ignores the fixture naming why there is none.</summary>
    [OneTimeSetUp]
    public void OpenDevice()
    {
        if (!CudaDevice.IsAvailable(out var reason))
        {
            Assert.Ignore($"no usable CUDA device: {reason}");
        }
        _device = new CudaDevice(kernels: Kernels);
        TestContext.Progress.WriteLine($"{GetType().Name} on {_device.Name}");
    }

    /// <summary>Disposes the device.</summary>
    [OneTimeTearDown]
    public void CloseDevice() => _device?.Dispose();
}
