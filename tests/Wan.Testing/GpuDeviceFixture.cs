using Wan.Kernels.Compile;
using Wan.Kernels.Device;

namespace Wan.Testing;

/// <summary>
/// The preamble every real-GPU fixture shares: one <see cref="CudaDevice"/> opened for the fixture's tests and disposed
/// after them; without a usable GPU the fixture is ignored with the reason (never a silent pass).
/// </summary>
/// <param name="testKernels">
/// false (default): the device loads the runtime's kernels through the user's kernel cache, as the engine does.
/// true: it also loads the test-only kernels (kernels/cuda/test/*.cu) and compiles into a temporary kernel cache of its
/// own (<see cref="KernelCacheDirectory"/>), deleted after the fixture, so no test module lands in the user's cache.
/// </param>
public abstract class GpuDeviceFixture(bool testKernels = false)
{
    private CudaDevice? _device;
    private string? _cacheDirectory;

    /// <summary>The fixture's CUDA device.</summary>
    protected CudaDevice Device => _device ?? throw new InvalidOperationException("device not opened");

    /// <summary>The temporary kernel cache of a fixture with test kernels.</summary>
    protected string KernelCacheDirectory => _cacheDirectory ?? throw new InvalidOperationException("this fixture uses the user's kernel cache");

    /// <summary>Opens the device, or ignores the fixture naming why there is none.</summary>
    [OneTimeSetUp]
    public void OpenDevice()
    {
        if (!CudaDevice.IsAvailable(out var reason))
        {
            TestContext.Progress.WriteLine($"{GetType().Name} skipped: no usable CUDA device: {reason}");
            Assert.Ignore($"no usable CUDA device: {reason}");
        }
        if (testKernels)
        {
            _cacheDirectory = Directory.CreateTempSubdirectory("wan-gpu-test-cache-").FullName;
            _device = new CudaDevice(cache: new KernelCache(_cacheDirectory), kernels: KernelSources.AllKernels);
        }
        else
        {
            _device = new CudaDevice();
        }
        TestContext.Progress.WriteLine($"{GetType().Name} on {_device.Name}, kernels as {_device.Target}");
    }

    /// <summary>Disposes the device and deletes a temporary kernel cache.</summary>
    [OneTimeTearDown]
    public void CloseDevice()
    {
        _device?.Dispose();
        if (_cacheDirectory is not null)
        {
            Directory.Delete(_cacheDirectory, recursive: true);
        }
    }
}
