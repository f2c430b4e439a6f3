using Wan.Kernels.Device;
using Wan.Runtime.Backends.Cuda;
using Wan.Runtime.Models.Dit;
using Wan.Runtime.Tensors;
using Wan.Testing;

namespace Wan.Runtime.Tests.Backends.Cuda;

/// <summary>
/// Streamed DiT blocks (<see cref="WanTransformer.LoadStreamed"/>) on the emulated device, whose copy stream poisons an
/// upload's destination until it is waited for and lands the staging bytes of that moment: on every <c>dit</c> golden,
/// in fp32 storage (bf16 streams bit for bit in StreamedResidencyTests' pipeline run), the two experts sharing one pair of block slots forward in turn (so each forward streams
/// its blocks, block 0 prefetched during the other expert's last block), directly and as a batch of two, and every
/// output equals the resident expert's bit for bit and the golden within its tolerance.
/// </summary>
[Category("Golden")]
[Category("Emulated")]
[Category("EmulatedEndToEnd")] // whole-model runs: no kernel the op tests miss, so not rerun under schedules and sanitizers
public sealed class StreamedDitGoldenTests
{
    private const DType Storage = DType.F32;

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.CasesOfKind), new object[] { new[] { "dit" } })]
    public void StreamedBlocksEqualResidentOnesBitForBit(FixtureCase? fixtureCase)
    {
        var c = Fixtures.Require(fixtureCase);
        using var golden = c.OpenGolden();
        using var device = new EmulatedDevice();
        using var backend = new CudaBackend(device, Storage);
        var subfolder = c.Params.GetProperty("diffusers_subfolder").GetString()!;
        var other = Directory.GetDirectories(c.Set.Diffusers, "transformer*").Select(Path.GetFileName).First(d => d != subfolder)!;
        double tolerance = c.Tolerance("fp32");
        double t = c.Params.GetProperty("t").GetDouble();
        int seqLen = c.Params.GetProperty("seq_len").GetInt32();
        var x = golden.Get("x");
        var ctx = golden.Get("context");
        using var latent = backend.FromHost(x.ToFloatArray(), x.Shape);
        using var context = backend.FromHost(ctx.ToFloatArray(), ctx.Shape);

        float[] resident, residentPair;
        long residentBytes;
        using (var dit = WanTransformer.Load(backend, Path.Combine(c.Set.Diffusers, subfolder)))
        using (var text = dit.PrepareText(context))
        using (var output = dit.Forward(latent, t, text, seqLen))
        using (var pair = Pair(backend, latent))
        using (var batch = dit.ForwardBatch(pair, x.Shape, [t, t], [text, text]))
        {
            resident = backend.ToHost(output);
            residentBytes = dit.WeightBytes;
            residentPair = backend.ToHost(batch);
        }

        using var streamed = WanTransformer.LoadStreamed(backend, Path.Combine(c.Set.Diffusers, subfolder), null);
        using var partner = WanTransformer.LoadStreamed(backend, Path.Combine(c.Set.Diffusers, other), streamed.Streamer);
        var streamer = streamed.Streamer!;
        (streamed.StreamNext, partner.StreamNext) = (partner, streamed); // each forward leaves the slots to the other expert
        long uploadsAtOpen = streamer.Uploads;
        using var streamedText = streamed.PrepareText(context);
        using var partnerText = partner.PrepareText(context);
        var outputs = new List<float[]>();
        var pairs = new List<float[]>();
        for (int round = 0; round < 2; round++)
        {
            using (var output = streamed.Forward(latent, t, streamedText, seqLen))
            {
                outputs.Add(backend.ToHost(output));
            }
            using (partner.Forward(latent, t, partnerText, seqLen))
            using (var pair = Pair(backend, latent))
            using (var batch = streamed.ForwardBatch(pair, x.Shape, [t, t], [streamedText, streamedText]))
            {
                pairs.Add(backend.ToHost(batch));
            }
        }
        int layers = streamed.Config.Layers;
        TestContext.Out.WriteLine($"{c} {Storage}: {streamer.Uploads - uploadsAtOpen} block uploads ({streamer.UploadedBytes} B, slots 2 x {streamer.SlotBytes} B) " +
                                  $"for 2 text preparations and 6 forwards of {layers} blocks; resident expert {residentBytes} B, streamed expert's resident part {streamed.WeightBytes} B");
        long blockBytes;
        using (var checkpoint = Wan.Runtime.Weights.SafetensorsCheckpoint.Open(Path.Combine(c.Set.Diffusers, subfolder)))
        {
            blockBytes = checkpoint.Names.Where(n => n.StartsWith("blocks.", StringComparison.Ordinal)).Sum(n => checkpoint.Get(n).ElementCount * Storage.SizeOf());
        }

        var goldenOut = golden.Get("out").ToFloatArray();
        Assert.Multiple(() =>
        {
            Assert.That(uploadsAtOpen, Is.Zero, "opening uploads nothing");
            Assert.That(streamer.Uploads, Is.EqualTo(8L * layers + 1),
                "each of the 8 passes (2 text preparations, 6 forwards; the experts alternate) uploads blocks 1.. and the next pass's block 0, the first also its own block 0");
            Assert.That(residentBytes - streamed.WeightBytes, Is.EqualTo(blockBytes), "only the weights outside the blocks are resident");
            foreach (var output in outputs)
            {
                Assert.That(output, Is.EqualTo(resident), "a streamed forward equals the resident one bit for bit");
                Metrics.AssertClose(output, goldenOut, tolerance, $"{c} {Storage} streamed out");
            }
            foreach (var pair in pairs)
            {
                Assert.That(pair, Is.EqualTo(residentPair), "a streamed batched forward equals the resident one bit for bit");
            }
        });
    }

    /// <summary>The latent twice as a batch [2, C·F·H·W] (a CFG pair).</summary>
    private static Tensor Pair(CudaBackend backend, Tensor latent)
    {
        var values = backend.ToHost(latent);
        return backend.FromHost([.. values, .. values], new Shape(2, values.Length));
    }
}
