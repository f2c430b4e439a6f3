using Wan.Kernels.Device;
using Wan.Kernels.Interop;

namespace Wan.Kernels.Tests.Interop;

/// <summary>On a machine with the driver library but no GPU, opening the device fails with one clear error.</summary>
public class NoDeviceTests
{
    [Test]
    public void OpeningTheDeviceWithoutGpuSaysNoCudaDevice()
    {
        if (CudaDevice.IsAvailable(out _))
        {
            Assert.Ignore("a CUDA device is present here, so the no-device path cannot be exercised");
        }
        var e = Assert.Throws<NoCudaDeviceException>(() => new CudaDevice().Dispose())!;
        TestContext.Progress.WriteLine($"no-device error: {e.Message}");
        Assert.Multiple(() =>
        {
            Assert.That(e.Function, Is.EqualTo("cuInit"));
            Assert.That(e.CodeName, Is.EqualTo("CUDA_ERROR_NO_DEVICE"));
            Assert.That(e.Message, Does.Contain("no CUDA device"));
        });
    }

    [Test]
    public void AvailabilityProbeGivesTheReasonWithoutThrowing()
    {
        var available = CudaDevice.IsAvailable(out var reason);
        TestContext.Progress.WriteLine(available ? "CUDA device available" : $"no CUDA device: {reason}");
        Assert.That(reason, available ? Is.Empty : Is.Not.Empty);
    }
}
