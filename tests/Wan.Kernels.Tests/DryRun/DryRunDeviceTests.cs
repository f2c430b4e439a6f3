using Wan.Kernels.Device;

namespace Wan.Kernels.Tests.DryRun;

/// <summary>
/// The dry-run device on its own: what it counts (captured work at each replay, not at capture), its memory
/// (live, peak, a capture's freed block reused inside it, all freed with the graph), the capture rules every
/// device enforces, zeros back on the host, and refusals of foreign or out-of-range buffers.
/// </summary>
public sealed unsafe class DryRunDeviceTests
{
    private static readonly GemmDesc Gemm64 = new(false, true, 64, 32, 16, 1f, 0x1000, 16, 0, 0x2000, 16, 0, 0f, 0x3000, 32, 0, 3, GemmType.BF16, GemmType.BF16);

    [Test]
    public void CapturedWorkCountsAtEachReplayNotAtCapture()
    {
        using var device = new DryRunDevice();
        device.Launch("direct", new Dim3(4), new Dim3(128), 0, null);
        using var graph = device.Capture(() =>
        {
            device.Launch("captured", new Dim3(2, 3), new Dim3(64), 1024, null);
            device.Gemm(Gemm64);
        });
        var log = device.Log;
        Assert.Multiple(() =>
        {
            Assert.That((log.Launches, log.Gemms, log.Calls.Count), Is.EqualTo((1L, 0L, 3)), "capture issues but does not run");
            Assert.That((graph.Kernels, graph.Gemms), Is.EqualTo((1, 1)));
        });
        graph.Launch();
        graph.Launch();
        Assert.Multiple(() =>
        {
            Assert.That((log.Launches, log.Gemms, log.Replays), Is.EqualTo((3L, 2L, 2L)));
            Assert.That(log.GemmFlops, Is.EqualTo(2 * 2.0 * 64 * 32 * 16 * 3), "2·M·N·K per batch entry, per replay");
            Assert.That(log.GemmBytes, Is.EqualTo(2 * 3 * (64 * 16 + 16 * 32 + 64 * 32) * 2.0), "A, B read once, C written once, bf16");
            Assert.That(log.Ran[DryRunCall.ForLaunch("captured", new Dim3(2, 3), new Dim3(64), 1024)], Is.EqualTo(2));
            Assert.That(log.Calls[1], Is.EqualTo(DryRunCall.ForLaunch("captured", new Dim3(2, 3), new Dim3(64), 1024)));
        });
    }

    [Test]
    public void MemoryIsTrackedWithTheCaptureArenasReuse()
    {
        using var device = new DryRunDevice();
        var log = device.Log;
        var before = device.Allocate(1000);
        DeviceGraph graph = device.Capture(() =>
        {
            device.Allocate(4096).Dispose();
            using var reused = device.Allocate(3000); // fits the freed 4096-byte block: no new memory
            before.Dispose(); // adopted by the graph: freed with it
        });
        Assert.Multiple(() =>
        {
            Assert.That(log.LiveBytes, Is.EqualTo(1000 + 4096));
            Assert.That(log.PeakBytes, Is.EqualTo(1000 + 4096));
            Assert.That(graph.OwnedBytes, Is.EqualTo(4096 + 1000));
        });
        graph.Dispose();
        Assert.Multiple(() =>
        {
            Assert.That(log.LiveBytes, Is.Zero, "the graph freed its block and the adopted buffer");
            Assert.That((log.Allocations, log.Frees), Is.EqualTo((2L, 2L)));
        });
        log.ResetPeak();
        Assert.That(log.PeakBytes, Is.Zero);
    }

    [TestCase("copy to device")]
    [TestCase("copy to host")]
    [TestCase("memset")]
    [TestCase("synchronize")]
    public void HostCopiesMemsetsAndWaitsAreRefusedWhileCapturing(string operation)
    {
        using var device = new DryRunDevice();
        using var buffer = device.Allocate(16);
        var bytes = new byte[16];
        Action act = operation switch
        {
            "copy to device" => () => device.CopyToDevice(bytes, buffer),
            "copy to host" => () => device.CopyToHost(buffer, 0, bytes),
            "memset" => () => device.Memset(buffer, 0),
            _ => device.Synchronize,
        };
        var e = Assert.Throws<GraphCaptureException>(() => device.Capture(act));
        Assert.That(e!.Operation, Is.EqualTo(operation));
        Assert.That(device.Log.LiveBytes, Is.EqualTo(16), "the abandoned capture freed its memory");
    }

    [Test]
    public void CopiesToTheHostGiveZerosAndCheckTheirRange()
    {
        using var device = new DryRunDevice();
        using var other = new DryRunDevice();
        using var buffer = device.Allocate(32);
        using var foreign = other.Allocate(32);
        var host = Enumerable.Repeat((byte)0xAB, 32).ToArray();
        device.CopyToHost(buffer, 0, host);
        Assert.Multiple(() =>
        {
            Assert.That(host, Has.All.Zero);
            Assert.That((device.Log.Copies, device.Log.CopiedBytes), Is.EqualTo((1L, 32L)));
            Assert.Throws<ArgumentOutOfRangeException>(() => device.CopyToHost(buffer, 8, new byte[32]));
            Assert.That(() => device.CopyToDevice(new byte[4], foreign), Throws.ArgumentException.With.Message.Contains("not to this dry-run device"));
            Assert.Throws<ArgumentOutOfRangeException>(() => device.Launch("k", new Dim3(1, 70_000), new Dim3(32), 0, null));
        });
    }

    [Test]
    public void FirstDifferenceNamesTheCallOrTheLength()
    {
        var a = new[] { DryRunCall.ForLaunch("a", new Dim3(1), new Dim3(32), 0), DryRunCall.ForGemm(Gemm64) };
        var b = new[] { a[0], DryRunCall.ForLaunch("b", new Dim3(1), new Dim3(32), 0) };
        Assert.Multiple(() =>
        {
            Assert.That(DryRunLog.FirstDifference(a, a.ToArray()), Is.Null);
            Assert.That(DryRunLog.FirstDifference(a, b), Does.StartWith("call 1:").And.Contains("gemm 64x32x16"));
            Assert.That(DryRunLog.FirstDifference(a, a[..1]), Does.StartWith("2 calls expected, 1 issued"));
        });
    }
}
