using System.Runtime.InteropServices;
using Wan.Kernels.Device;
using Wan.Kernels.Ops;
using static Wan.Testing.EmulatedTesting;

namespace Wan.Kernels.Tests.Emulated;

/// <summary>
/// The emulated device's copy stream as a hazard checker: an upload poisons its destination at once and lands the
/// staging bytes of the moment it is waited for, so reading before <see cref="IUploadStream.WaitOnCompute"/> or
/// refilling staging before <see cref="IUploadStream.WaitOnHost"/> shows in the values.
/// </summary>
[Category("Emulated")]
public sealed class UploadStreamTests
{
    private EmulatedDevice? _device;

    private EmulatedDevice Device => _device ?? throw new InvalidOperationException("device not opened");

    [SetUp]
    public void Open() => _device = new EmulatedDevice();

    [TearDown]
    public void Close() => _device?.Dispose();

    [Test]
    public void BytesLandAtTheWaitAndTheRangeIsPoisonedUntilThen()
    {
        var random = NewRandom();
        int n = 1000 + random.Next(300), offset = 17 + random.Next(50), count = 400 + random.Next(200);
        var before = Uniform(random, n);
        var staged = Uniform(random, count);
        using var destination = DeviceArrays.Upload(Device, before, ElementType.F32);
        using var staging = Device.AllocateStaging(4L * count);
        MemoryMarshal.AsBytes(staged.AsSpan()).CopyTo(staging.Span);

        using var ticket = Device.Upload(staging, 0, destination, 4L * offset, 4L * count);
        var queued = DeviceArrays.Download(Device, destination, n, ElementType.F32);
        Device.WaitOnCompute(ticket);
        var landed = DeviceArrays.Download(Device, destination, n, ElementType.F32);

        var expected = (float[])before.Clone();
        staged.CopyTo(expected, offset);
        Assert.Multiple(() =>
        {
            Assert.That(queued.Skip(offset).Take(count), Has.All.NaN, "the destination range is poisoned until the wait");
            Assert.That(queued.Take(offset).Concat(queued.Skip(offset + count)), Is.EqualTo(before.Take(offset).Concat(before.Skip(offset + count))),
                "bytes outside the range are untouched");
            Assert.That(landed, Is.EqualTo(expected));
            Assert.That(ticket.Bytes, Is.EqualTo(4L * count));
        });
    }

    [Test]
    public void AKernelReadingBeforeWaitOnComputeReadsPoison()
    {
        var random = NewRandom();
        int n = 777 + random.Next(300);
        var a = Uniform(random, n);
        var b = Uniform(random, n);
        using var weights = Device.Allocate(4L * n);
        using var other = DeviceArrays.Upload(Device, b, ElementType.F32);
        using var early = Device.Allocate(4L * n);
        using var late = Device.Allocate(4L * n);
        using var staging = Device.AllocateStaging(4L * n);
        MemoryMarshal.AsBytes(a.AsSpan()).CopyTo(staging.Span);
        using var mark = Device.MarkCompute();
        using var ticket = Device.Upload(staging, 0, weights, 0, 4L * n, mark);

        ElementwiseOps.Add(Device, ElementType.F32, weights, other, early, n); // the hazard: no WaitOnCompute yet
        Device.WaitOnCompute(ticket);
        ElementwiseOps.Add(Device, ElementType.F32, weights, other, late, n);

        Assert.Multiple(() =>
        {
            Assert.That(DeviceArrays.Download(Device, early, n, ElementType.F32), Has.All.NaN, "a read before the wait must be flagged");
            Assert.That(DeviceArrays.Download(Device, late, n, ElementType.F32), Is.EqualTo(a.Zip(b, (x, y) => x + y).ToArray()));
        });
    }

    [Test]
    public void StagingRefilledBeforeWaitOnHostLandsTheNewBytes()
    {
        var random = NewRandom();
        int n = 500 + random.Next(300);
        var first = Uniform(random, n);
        var second = Uniform(random, n);
        using var destination = Device.Allocate(4L * n);
        using var staging = Device.AllocateStaging(4L * n);
        MemoryMarshal.AsBytes(first.AsSpan()).CopyTo(staging.Span);
        using var ticket = Device.Upload(staging, 0, destination, 0, 4L * n);
        MemoryMarshal.AsBytes(second.AsSpan()).CopyTo(staging.Span); // the hazard: refilled before WaitOnHost
        Device.WaitOnHost(ticket);

        Assert.That(DeviceArrays.Download(Device, destination, n, ElementType.F32), Is.EqualTo(second),
            "the copy reads staging when it lands, so an early refill shows as the wrong weights");
    }

    [Test]
    public void TheCopyStreamIsInOrderAWaitLandsEveryEarlierUpload()
    {
        var random = NewRandom();
        int n = 300 + random.Next(100);
        var a = Uniform(random, n);
        var b = Uniform(random, n);
        using var first = Device.Allocate(4L * n);
        using var second = Device.Allocate(4L * n);
        using var stagingA = Device.AllocateStaging(4L * n);
        using var stagingB = Device.AllocateStaging(4L * n);
        MemoryMarshal.AsBytes(a.AsSpan()).CopyTo(stagingA.Span);
        MemoryMarshal.AsBytes(b.AsSpan()).CopyTo(stagingB.Span);
        using var ticketA = Device.Upload(stagingA, 0, first, 0, 4L * n);
        using var ticketB = Device.Upload(stagingB, 0, second, 0, 4L * n);
        Device.WaitOnHost(ticketB);
        MemoryMarshal.AsBytes(b.AsSpan()).CopyTo(stagingA.Span); // ticket A landed with B: refilling now is safe
        Device.WaitOnCompute(ticketA);

        Assert.Multiple(() =>
        {
            Assert.That(DeviceArrays.Download(Device, first, n, ElementType.F32), Is.EqualTo(a));
            Assert.That(DeviceArrays.Download(Device, second, n, ElementType.F32), Is.EqualTo(b));
            Assert.That(Device.UploadsQueued, Is.EqualTo(2));
        });
    }

    [Test]
    public void RangesOutsideEitherBufferAndForeignObjectsAreRefused()
    {
        using var destination = Device.Allocate(64);
        using var staging = Device.AllocateStaging(32);
        using var otherDevice = new EmulatedDevice();
        using var foreignStaging = otherDevice.AllocateStaging(32);
        using var foreignDestination = otherDevice.Allocate(32);
        using var foreignTicket = otherDevice.Upload(foreignStaging, 0, foreignDestination, 0, 32);
        Assert.Multiple(() =>
        {
            Assert.That(() => Device.Upload(staging, 16, destination, 0, 17), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("staging bytes [16"));
            Assert.That(() => Device.Upload(staging, -1, destination, 0, 8), Throws.TypeOf<ArgumentOutOfRangeException>());
            Assert.That(() => Device.Upload(staging, 0, destination, 40, 32), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("bytes [40, 72)"));
            Assert.That(() => Device.Upload(foreignStaging, 0, destination, 0, 8), Throws.ArgumentException.With.Message.Contains("staging buffer belongs to another device"));
            Assert.That(() => Device.WaitOnHost(foreignTicket), Throws.ArgumentException.With.Message.Contains("ticket belongs to another device"));
            Assert.That(() => Device.AllocateStaging(-1), Throws.TypeOf<ArgumentOutOfRangeException>());
        });
    }

    [Test]
    public void EveryCopyStreamOperationIsRefusedWhileCapturing()
    {
        using var destination = Device.Allocate(64);
        using var staging = Device.AllocateStaging(64);
        using var ticket = Device.Upload(staging, 0, destination, 0, 64);
        var (refused, graph) = CopyStreamCapture.TryEveryOperation(Device, staging, destination, ticket);
        graph.Dispose();
        Assert.That(refused.Select(r => r.Name + ": " + r.Operation), Is.EqualTo(new[]
        {
            "staging: staging allocation", "upload: upload", "mark: compute mark", "wait on compute: wait on compute", "wait on host: wait on host",
        }));
    }
}
