using Wan.Kernels.Device;
using Wan.Runtime.Backends.Cuda;
using Wan.Runtime.Models.Dit;
using Wan.Runtime.Tensors;
using Wan.Testing;

namespace Wan.Runtime.Tests.Backends.Cuda;

/// <summary>
/// The double buffer itself on the emulated device (an upload's destination reads 0xFF until the upload is waited
/// for): entering block 0 queues block 1 into the other slot without landing it — it copies while block 0 computes —
/// and entering block 1 lands it, byte for byte the resident expert's weights (the streamed DiT's weights are views of
/// the slots).
/// </summary>
[Category("Emulated")]
public sealed class BlockStreamerTests
{
    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void TheNextBlockIsQueuedWhileTheCurrentOneComputesAndLandsAtItsTurn(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        var directory = Path.Combine(set.Diffusers, "transformer");
        using var device = new EmulatedDevice();
        using var backend = new CudaBackend(device, DType.BF16);
        using var resident = WanTransformer.Load(backend, directory);
        using var streamed = WanTransformer.LoadStreamed(backend, directory, null);
        var streamer = streamed.Streamer!;
        var blocks = streamed.StreamedBlocks!;
        Assume.That(blocks.Count, Is.GreaterThanOrEqualTo(2), "a DiT of at least two blocks");

        var residentWeight = resident.Linears.First(l => l.Name == "blocks.1.ffn.net.0.proj").Weight;
        byte[] Bytes(DeviceBuffer buffer, long offset, long count)
        {
            var bytes = new byte[count];
            device.CopyToHost(buffer, offset, bytes);
            return bytes;
        }
        long weightBytes = residentWeight.ElementCount * DType.BF16.SizeOf();
        var expected = Bytes(((CudaTensor)residentWeight).Buffer, 0, weightBytes);

        byte[] queued, landed;
        long offset;
        using (var first = streamer.Enter(blocks, 0, (blocks, 1)))
        {
            int slot = ReferenceEquals(first.Block, blocks.View(0, 0)) ? 0 : 1;
            var view = (CudaTensor)blocks.View(1 - slot, 1).Linears.First(l => l.Name == "blocks.1.ffn.net.0.proj").Weight;
            offset = (long)(view.Buffer.Address - streamer.Slot(1 - slot).Address);
            queued = Bytes(streamer.Slot(1 - slot), 0, blocks.BlockBytes(1));
            using (streamer.Enter(blocks, 1, null))
            {
                landed = Bytes(streamer.Slot(1 - slot), offset, weightBytes);
            }
        }

        Assert.Multiple(() =>
        {
            Assert.That(queued, Has.All.EqualTo((byte)0xFF), "block 1 is queued, not landed, while block 0 computes");
            Assert.That(landed, Is.EqualTo(expected), "entering block 1 lands it: the resident expert's bytes");
            Assert.That(streamer.Uploads, Is.EqualTo(2));
            Assert.That(streamer.UploadedBytes, Is.EqualTo(blocks.BlockBytes(0) + blocks.BlockBytes(1)));
        });
    }
}
