using Wan.Kernels.Device;

namespace Wan.Kernels.Tests.Emulated;

/// <summary>
/// <see cref="IDeviceMemoryAccounting"/> of the devices: live buffer bytes exactly, graph memory until the graph is
/// disposed. The GPU case is ignored (with the reason) without a usable CUDA device.
/// </summary>
public sealed class DeviceMemoryAccountingTests
{
    [Test]
    [Category("Emulated")]
    public void TheEmulatedDeviceCountsLiveBuffers()
    {
        using var device = new EmulatedDevice();
        Check(device);
    }

    [Test]
    [Category("Gpu")]
    public void TheCudaDeviceCountsLiveBuffers()
    {
        if (!CudaDevice.IsAvailable(out var reason))
        {
            Assert.Ignore($"no usable CUDA device: {reason}");
        }
        using var device = new CudaDevice();
        Check(device);
    }

    private static void Check<T>(T device) where T : IDevice, IDeviceMemoryAccounting
    {
        long baseline = device.AllocatedBytes;
        var a = device.Allocate(1000);
        var b = device.Allocate(3 << 20);
        using (device.Allocate(0))
        {
            Assert.That(device.AllocatedBytes - baseline, Is.EqualTo(1000 + (3 << 20)), "both buffers, exactly; an empty one is nothing");
        }
        a.Dispose();
        Assert.That(device.AllocatedBytes - baseline, Is.EqualTo(3 << 20));
        a.Dispose();
        Assert.That(device.AllocatedBytes - baseline, Is.EqualTo(3 << 20), "a second dispose frees nothing twice");
        long inside = 0;
        var graph = device.Capture(() =>
        {
            using var scratch = device.Allocate(4096);
            inside = device.AllocatedBytes - baseline;
        });
        Assert.That(inside, Is.GreaterThanOrEqualTo((3 << 20) + 4096), "graph memory is device memory");
        Assert.That(device.AllocatedBytes - baseline, Is.GreaterThanOrEqualTo((3 << 20) + 4096), "held by the graph after the capture");
        graph.Dispose();
        b.Dispose();
        Assert.That(device.AllocatedBytes, Is.EqualTo(baseline), "all freed");
    }
}
