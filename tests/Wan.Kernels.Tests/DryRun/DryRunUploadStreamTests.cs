using Wan.Kernels.Device;

namespace Wan.Kernels.Tests.DryRun;

/// <summary>
/// The dry run's copy stream (<see cref="IUploadStream"/> on <see cref="DryRunDevice"/>): every upload recorded in
/// order with its bytes and whether a compute mark ordered it, staging memory counted apart from device memory, and
/// the refusals a GPU makes (ranges, owners, disposal, capture) made before anything is recorded.
/// </summary>
public sealed class DryRunUploadStreamTests
{
    [Test]
    public void UploadsAreRecordedInOrderWithTheirBytesAndMarks()
    {
        using var device = new DryRunDevice();
        var log = device.Log;
        using var destination = device.Allocate(4096);
        var large = device.AllocateStaging(1000);
        using var small = device.AllocateStaging(24);
        Assert.That((log.StagingBytes, log.PeakStagingBytes, log.LiveBytes), Is.EqualTo((1024L, 1024L, 4096L)), "staging is host memory, not device memory");

        using var first = device.Upload(large, 0, destination, 0, 1000);
        device.WaitOnHost(first);
        using var mark = device.MarkCompute();
        using var second = device.Upload(large, 10, destination, 3096, 990, mark);
        device.WaitOnCompute(second);
        using var empty = device.Upload(small, 24, destination, 4096, 0);
        using var tail = device.Upload(small, 1, destination, 4073, 23, mark);
        large.Dispose();

        Assert.Multiple(() =>
        {
            Assert.That(log.Uploads, Is.EqualTo(new[]
            {
                new DryRunUpload(1000, false), new DryRunUpload(990, true), new DryRunUpload(0, false), new DryRunUpload(23, true),
            }));
            Assert.That((log.UploadCount, log.UploadedBytes), Is.EqualTo((4L, 2013L)));
            Assert.That((first.Bytes, second.Bytes, empty.Bytes, tail.Bytes), Is.EqualTo((1000L, 990L, 0L, 23L)));
            Assert.That(log.Copies, Is.Zero, "uploads are not synchronous host copies");
            Assert.That((log.StagingBytes, log.PeakStagingBytes), Is.EqualTo((24L, 1024L)));
            Assert.That(small.Span.IsEmpty, "no storage");
        });

        log.ClearCalls();
        Assert.That((log.Uploads.Count, log.UploadCount, log.UploadedBytes), Is.EqualTo((0, 4L, 2013L)), "the list is forgotten, the totals stay");
    }

    [TestCase(-1L, 0L, 16L)]
    [TestCase(0L, 0L, -1L)]
    [TestCase(1L, 0L, 64L)]
    [TestCase(0L, 1L, 64L)]
    [TestCase(0L, long.MaxValue, 2L)]
    [TestCase(long.MaxValue, 0L, 2L)]
    [TestCase(0L, -8L, 8L)]
    [TestCase(65L, 0L, 0L)]
    public void RangesOutsideEitherBufferAreRefusedAndNotRecorded(long sourceOffset, long destinationOffset, long bytes)
    {
        using var device = new DryRunDevice();
        using var stage = device.AllocateStaging(64);
        using var destination = device.Allocate(64);
        Assert.That(() => device.Upload(stage, sourceOffset, destination, destinationOffset, bytes), Throws.TypeOf<ArgumentOutOfRangeException>());
        using var fits = device.Upload(stage, 56, destination, 56, 8);
        Assert.That(device.Log.Uploads, Is.EqualTo(new[] { new DryRunUpload(8, false) }), "only the upload that fits exactly");
    }

    [Test]
    public void StagingSizesOutsideOneSpanAreRefused()
    {
        using var device = new DryRunDevice();
        Assert.Multiple(() =>
        {
            Assert.That(() => device.AllocateStaging(0), Throws.TypeOf<ArgumentOutOfRangeException>());
            Assert.That(() => device.AllocateStaging(-5), Throws.TypeOf<ArgumentOutOfRangeException>());
            Assert.That(() => device.AllocateStaging(int.MaxValue + 1L), Throws.TypeOf<ArgumentOutOfRangeException>());
        });
        using var largest = device.AllocateStaging(int.MaxValue);
        Assert.That(device.Log.StagingBytes, Is.EqualTo(int.MaxValue));
    }

    [Test]
    public void ForeignAndDisposedStagingBuffersTicketsAndMarksAreRefused()
    {
        using var device = new DryRunDevice();
        using var other = new DryRunDevice();
        using var destination = device.Allocate(64);
        using var foreignDestination = other.Allocate(64);
        using var foreignStage = other.AllocateStaging(64);
        using var foreignMark = other.MarkCompute();
        using var foreignTicket = other.Upload(foreignStage, 0, foreignDestination, 0, 8);
        using var stage = device.AllocateStaging(64);
        var ticket = device.Upload(stage, 0, destination, 0, 8);
        ticket.Dispose();
        var mark = device.MarkCompute();
        mark.Dispose();
        var freedStage = device.AllocateStaging(64);
        freedStage.Dispose();
        var freedDestination = device.Allocate(64);
        freedDestination.Dispose();
        Assert.Multiple(() =>
        {
            Assert.That(() => device.Upload(foreignStage, 0, destination, 0, 8), Throws.TypeOf<ArgumentException>());
            Assert.That(() => device.Upload(stage, 0, foreignDestination, 0, 8), Throws.TypeOf<ArgumentException>());
            Assert.That(() => device.Upload(stage, 0, destination, 0, 8, foreignMark), Throws.TypeOf<ArgumentException>());
            Assert.That(() => device.WaitOnCompute(foreignTicket), Throws.TypeOf<ArgumentException>());
            Assert.That(() => device.WaitOnHost(foreignTicket), Throws.TypeOf<ArgumentException>());
            Assert.That(() => device.Upload(freedStage, 0, destination, 0, 8), Throws.TypeOf<ObjectDisposedException>());
            Assert.That(() => device.Upload(stage, 0, freedDestination, 0, 8), Throws.TypeOf<ObjectDisposedException>());
            Assert.That(() => device.Upload(stage, 0, destination, 0, 8, mark), Throws.TypeOf<ObjectDisposedException>());
            Assert.That(() => device.WaitOnCompute(ticket), Throws.TypeOf<ObjectDisposedException>());
            Assert.That(() => device.WaitOnHost(ticket), Throws.TypeOf<ObjectDisposedException>());
            Assert.That(() => freedStage.Span.Length, Throws.TypeOf<ObjectDisposedException>());
        });
        Assert.That(device.Log.Uploads, Has.Count.EqualTo(1), "only the first, valid upload");
    }

    [Test]
    public void EveryCopyStreamOperationIsRefusedInsideACaptureAndNothingIsRecorded()
    {
        using var device = new DryRunDevice();
        using var stage = device.AllocateStaging(64);
        using var destination = device.Allocate(64);
        using var ticket = device.Upload(stage, 0, destination, 0, 64);
        var (refused, graph) = CopyStreamCapture.TryEveryOperation(device, stage, destination, ticket);
        using var captured = graph;
        Assert.Multiple(() =>
        {
            Assert.That(refused.Select(r => r.Name), Is.EqualTo(new[] { "staging", "upload", "mark", "wait on compute", "wait on host" }));
            Assert.That((device.Log.UploadCount, device.Log.StagingBytes), Is.EqualTo((1L, 64L)), "nothing recorded inside the capture");
        });
    }

    [Test]
    public void ADisposedDeviceRefusesTheCopyStream()
    {
        var device = new DryRunDevice();
        var stage = device.AllocateStaging(8);
        var destination = device.Allocate(8);
        device.Dispose();
        Assert.Multiple(() =>
        {
            Assert.That(() => device.AllocateStaging(8), Throws.TypeOf<ObjectDisposedException>());
            Assert.That(() => device.Upload(stage, 0, destination, 0, 8), Throws.TypeOf<ObjectDisposedException>());
            Assert.That(() => device.MarkCompute(), Throws.TypeOf<ObjectDisposedException>());
        });
    }
}
