using System.Runtime.InteropServices;
using Wan.Kernels.Compile;
using Wan.Kernels.Device;
using Wan.Testing;
using static Wan.Testing.EmulatedTesting;

namespace Wan.Kernels.Tests.Gpu;

/// <summary>
/// The copy stream of <see cref="CudaDevice"/> (<see cref="IUploadStream"/>) on a real GPU: uploads land bit-exact;
/// the three hazards of weight streaming are prevented by their events and really occur without them (the
/// unordered twin of each ordering test must see the hazard, proving the check can fail); bad ranges, foreign or
/// disposed tickets, and every copy-stream operation inside a capture are refused. The slow reader is
/// <c>probe_delayed_copy</c> (kernels/cuda/test/streams.cu). Ignored (with the reason) without a GPU.
/// </summary>
[Category("Gpu")]
public sealed unsafe class CudaUploadStreamTests() : GpuDeviceFixture(testKernels: true)
{
    // About 0.1 s at the ~2 GHz SM clock of an H100/H200: far longer than any upload here takes (≤ 2 ms).
    private const long SlowReaderCycles = 200_000_000;

    [Test]
    public void TheCopyStreamIsNonBlocking() => Assert.That(Device.CopyStreamFlags, Is.EqualTo(1u), "CU_STREAM_NON_BLOCKING");

    [Test]
    public void ARandomNonRoundUploadLandsBitExactAndTheRefilledStagingLandsToo()
    {
        var random = NewRandom();
        const int staging = 1_000_003, sourceOffset = 13, bytes = 999_979, destinationOffset = 777, destinationBytes = 1_048_583;
        using var stage = Device.AllocateStaging(staging);
        using var destination = Device.Allocate(destinationBytes);
        for (int round = 0; round < 2; round++)
        {
            random.NextBytes(stage.Span);
            var expected = stage.Span.Slice(sourceOffset, bytes).ToArray();
            Device.Memset(destination, 0xA5);
            // The memset is queued on the compute stream: without the mark the copy could land before it.
            using var memset = Device.MarkCompute();
            using var ticket = Device.Upload(stage, sourceOffset, destination, destinationOffset, bytes, memset);
            Device.WaitOnCompute(ticket);
            var back = new byte[destinationBytes];
            Device.CopyToHost(destination, 0, back);
            Device.WaitOnHost(ticket);
            Assert.Multiple(() =>
            {
                Assert.That(ticket.Bytes, Is.EqualTo(bytes));
                Assert.That(back.AsSpan(destinationOffset, bytes).SequenceEqual(expected), $"round {round}: the uploaded bytes");
                Assert.That(back[..destinationOffset], Has.All.EqualTo((byte)0xA5), $"round {round}: before the range");
                Assert.That(back[(destinationOffset + bytes)..], Has.All.EqualTo((byte)0xA5), $"round {round}: after the range");
            });
        }
    }

    [TestCase(true)]
    [TestCase(false)]
    public void AnUploadAfterAMarkDoesNotOverwriteWhatAQueuedKernelStillReads(bool ordered)
    {
        var random = NewRandom();
        const int n = 4099;
        var old = RandomInts(random, n);
        var fresh = Array.ConvertAll(old, v => ~v);
        using var weights = Upload(old);
        using var output = Device.Allocate(4L * n);
        Device.Memset(output, 0xFF);
        using var stage = Device.AllocateStaging(4L * n);
        MemoryMarshal.AsBytes(fresh.AsSpan()).CopyTo(stage.Span);

        DelayedCopy(weights, 0, output, n, SlowReaderCycles);
        using var mark = ordered ? Device.MarkCompute() : null;
        using var ticket = Device.Upload(stage, 0, weights, 0, 4L * n, mark);
        Device.WaitOnHost(ticket);
        Device.Synchronize();

        var seen = Download(output, n);
        var landed = Download(weights, n);
        Assert.That(landed, Is.EqualTo(fresh), "the upload landed");
        // Unordered, the copy overtakes the kernel that spins 0.1 s before reading: the hazard the mark prevents.
        Assert.That(seen, Is.EqualTo(ordered ? old : fresh), ordered ? "the kernel read the weights from before the upload" : "the unordered upload overtook the kernel");
    }

    [TestCase(true)]
    [TestCase(false)]
    public void AKernelAfterWaitOnComputeReadsTheUploadedBytes(bool waits)
    {
        var random = NewRandom();
        // 64 MiB take over a millisecond on any PCIe link; the kernel reads the last 4 KiB, which land last.
        const int total = (64 << 20) / 4 + 3, tail = 1024;
        var old = RandomInts(random, total);
        var fresh = Array.ConvertAll(old, v => ~v);
        using var weights = Upload(old);
        using var output = Device.Allocate(4L * tail);
        Device.Memset(output, 0xFF);
        using var stage = Device.AllocateStaging(4L * total);
        MemoryMarshal.AsBytes(fresh.AsSpan()).CopyTo(stage.Span);
        using var idle = Device.MarkCompute();

        using var ticket = Device.Upload(stage, 0, weights, 0, 4L * total, idle);
        if (waits)
        {
            Device.WaitOnCompute(ticket);
        }
        DelayedCopy(weights, 4L * (total - tail), output, tail, 0);
        Device.WaitOnHost(ticket);
        Device.Synchronize();

        var seen = Download(output, tail);
        if (waits)
        {
            Assert.That(seen, Is.EqualTo(fresh[^tail..]), "the kernel read the uploaded bytes");
        }
        else
        {
            Assert.That(seen, Is.Not.EqualTo(fresh[^tail..]), "without the wait the kernel read before the copy's end landed");
        }
    }

    [Test]
    public void DoubleBufferedBlocksStreamThroughTwoSlotsWithoutAHazard()
    {
        // The weight-streaming protocol itself: block i copies into slot i % 2 after the kernel of block i - 2 (which
        // read that slot) and from staging i % 2 after its previous upload finished; its kernel waits for its copy.
        var random = NewRandom();
        const int blocks = 8, n = 50_021;
        var data = Enumerable.Range(0, blocks).Select(_ => RandomInts(random, n)).ToArray();
        using var slot0 = Device.Allocate(4L * n);
        using var slot1 = Device.Allocate(4L * n);
        using var stage0 = Device.AllocateStaging(4L * n);
        using var stage1 = Device.AllocateStaging(4L * n);
        using var output = Device.Allocate(4L * n * blocks);
        Device.Memset(output, 0xFF);
        var slots = new[] { slot0, slot1 };
        var stages = new[] { stage0, stage1 };
        var tickets = new UploadTicket?[2];
        var readers = new ComputeMark?[2];
        for (int i = 0; i < blocks; i++)
        {
            int s = i % 2;
            if (tickets[s] is { } previous)
            {
                Device.WaitOnHost(previous);
                previous.Dispose();
            }
            MemoryMarshal.AsBytes(data[i].AsSpan()).CopyTo(stages[s].Span);
            tickets[s] = Device.Upload(stages[s], 0, slots[s], 0, 4L * n, readers[s]);
            readers[s]?.Dispose();
            Device.WaitOnCompute(tickets[s]!);
            DelayedCopy(slots[s], 0, output, n, SlowReaderCycles / 100, outputOffset: 4L * n * i);
            readers[s] = Device.MarkCompute();
        }
        Device.Synchronize();
        foreach (var disposable in tickets.Concat<IDisposable?>(readers))
        {
            disposable?.Dispose();
        }
        var seen = Download(output, n * blocks);
        for (int i = 0; i < blocks; i++)
        {
            Assert.That(seen.AsSpan(n * i, n).SequenceEqual(data[i]), $"block {i} read its own bytes");
        }
    }

    [TestCase(-1L, 0L, 16L)]
    [TestCase(0L, 0L, -1L)]
    [TestCase(1L, 0L, 64L)]
    [TestCase(0L, 1L, 64L)]
    [TestCase(0L, long.MaxValue, 2L)]
    [TestCase(long.MaxValue, 0L, 2L)]
    [TestCase(0L, -8L, 8L)]
    public void RangesOutsideEitherBufferAreRefusedAndQueueNothing(long sourceOffset, long destinationOffset, long bytes)
    {
        using var stage = Device.AllocateStaging(64);
        stage.Span.Fill(0x11);
        using var destination = Device.Allocate(64);
        Device.Memset(destination, 0x5A);
        Device.Synchronize();
        Assert.That(() => Device.Upload(stage, sourceOffset, destination, destinationOffset, bytes), Throws.TypeOf<ArgumentOutOfRangeException>());
        using (var drained = Device.Upload(stage, 0, destination, 0, 0))
        {
            Device.WaitOnHost(drained);
        }
        Assert.That(Download(destination, 16), Has.All.EqualTo(0x5A5A5A5A), "nothing was copied");
    }

    [Test]
    public void StagingSizesOutsideOneSpanAreRefused()
    {
        Assert.That(() => Device.AllocateStaging(0), Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(() => Device.AllocateStaging(int.MaxValue + 1L), Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void ForeignAndDisposedTicketsMarksAndStagingAreRefused()
    {
        using var destination = Device.Allocate(64);
        using var dryRun = new DryRunDevice();
        using var foreign = dryRun.AllocateStaging(64);
        using var foreignMark = dryRun.MarkCompute();
        var stage = Device.AllocateStaging(64);
        var ticket = Device.Upload(stage, 0, destination, 0, 64);
        Device.WaitOnHost(ticket);
        ticket.Dispose();
        var mark = Device.MarkCompute();
        mark.Dispose();
        Assert.Multiple(() =>
        {
            Assert.That(() => Device.Upload(foreign, 0, destination, 0, 8), Throws.TypeOf<ArgumentException>().With.Message.Contains("dry run"));
            Assert.That(() => Device.Upload(stage, 0, destination, 0, 8, foreignMark), Throws.TypeOf<ArgumentException>());
            Assert.That(() => Device.WaitOnCompute(ticket), Throws.TypeOf<ObjectDisposedException>());
            Assert.That(() => Device.WaitOnHost(ticket), Throws.TypeOf<ObjectDisposedException>());
            Assert.That(() => Device.Upload(stage, 0, destination, 0, 8, mark), Throws.TypeOf<ObjectDisposedException>());
        });
        stage.Dispose();
        Assert.That(() => Device.Upload(stage, 0, destination, 0, 8), Throws.TypeOf<ObjectDisposedException>());
    }

    [Test]
    public void EveryCopyStreamOperationIsRefusedInsideACapture()
    {
        using var stage = Device.AllocateStaging(64);
        using var destination = Device.Allocate(64);
        using var ticket = Device.Upload(stage, 0, destination, 0, 64);
        Device.WaitOnHost(ticket);
        var (refused, captured) = CopyStreamCapture.TryEveryOperation(Device, stage, destination, ticket);
        using var graph = captured;
        Assert.Multiple(() =>
        {
            Assert.That(refused.Select(r => r.Name), Is.EqualTo(new[] { "staging", "upload", "mark", "wait on compute", "wait on host" }));
            Assert.That((graph.Kernels, graph.Gemms), Is.EqualTo((0, 0)));
        });
        graph.Launch();
        Device.Synchronize();
    }

    [Test]
    public void AnotherThreadsUploadDuringACaptureIsRefused()
    {
        using var stage = Device.AllocateStaging(64);
        using var destination = Device.Allocate(64);
        Exception? seen = null;
        using var graph = Device.Capture(() =>
        {
            var other = new Thread(() =>
            {
                try
                {
                    Device.Upload(stage, 0, destination, 0, 64).Dispose();
                }
                catch (Exception e)
                {
                    seen = e;
                }
            });
            other.Start();
            other.Join();
        });
        Assert.That(seen, Is.TypeOf<CaptureInProgressException>());
    }

    private static int[] RandomInts(Random random, int count)
    {
        var values = new int[count];
        random.NextBytes(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    private DeviceBuffer Upload(int[] values)
    {
        var buffer = Device.Allocate(4L * values.Length);
        Device.CopyToDevice(MemoryMarshal.AsBytes(values.AsSpan()), buffer);
        return buffer;
    }

    private int[] Download(DeviceBuffer buffer, int count)
    {
        var values = new int[count];
        Device.CopyToHost(buffer, 0, MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    private void DelayedCopy(DeviceBuffer source, long sourceOffset, DeviceBuffer output, int n, long spinCycles, long outputOffset = 0)
    {
        ulong from = source.Address + (ulong)sourceOffset, to = output.Address + (ulong)outputOffset;
        int count = n;
        long spin = spinCycles;
        void** args = stackalloc void*[] { &from, &to, &count, &spin };
        Device.Launch("probe_delayed_copy", new Dim3(1), new Dim3(256), 0, args);
    }
}
