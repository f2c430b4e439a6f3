using Wan.Kernels.Device;
using Wan.Kernels.Ops;
using Wan.Runtime.Backends.Cpu;
using Wan.Runtime.Backends.Cuda;
using Wan.Runtime.Models.Umt5;
using Wan.Runtime.Tensors;
using Wan.Testing;
using static Wan.Testing.EmulatedTesting;

namespace Wan.Runtime.Tests.Backends.Cuda;

/// <summary>
/// The text-encoder family's own ops on the CUDA backend (emulated device) against the CPU reference, per
/// storage dtype, on random non-round sizes: the token embedding gather, the relative-position bias gather and the residual add with the
/// fp16 overflow rule of the reference T5 (clamp everything to ±(65504 − 1000) when, and only when, a sum is
/// ±Inf). Outputs are fresh emulated memory (NaN), so an unwritten element fails.
/// </summary>
public sealed class CudaTextOpsTests(DType storage) : EmulatedBackendFixture(storage)
{
    /// <summary>
    /// A table of a non-round vocabulary and width in the storage type, ids covering the first and last row and repeats:
    /// one gather launch and one int32 upload of the ids (nothing else crosses to the device), bit copies of the CPU rows.
    /// </summary>
    [Test]
    public void EmbeddingGatherOnTheDeviceEqualsTheCpuRows()
    {
        int vocab = 517 + Random.Next(100), dim = 67 + Random.Next(30), count = 131 + Random.Next(40);
        var table = Representable(Uniform(Random, vocab * dim), Storage);
        var ids = Enumerable.Range(0, count).Select(_ => Random.Next(vocab)).ToArray();
        (ids[0], ids[1], ids[2]) = (0, vocab - 1, ids[count - 1]);
        using var counting = new CountingDevice(Emulator);
        using var backend = new CudaBackend(counting, Storage);
        using var ctable = Cpu.FromHost(table, new Shape(vocab, dim));
        using var gtable = backend.FromHost(table, new Shape(vocab, dim));
        counting.Reset();
        using var expected = Cpu.Embedding(ctable, ids);
        using var actual = backend.Embedding(gtable, ids);
        Assert.Multiple(() =>
        {
            Assert.That(counting.LaunchesByKernel, Is.EqualTo(new Dictionary<string, int> { [Storage == DType.F32 ? "gather_rows_32bit" : "gather_rows_16bit"] = 1 }));
            Assert.That((counting.Copies, counting.CopiesToHost), Is.EqualTo((1, 0)), "the ids, and nothing else, go to the device");
            Assert.That(actual.Shape, Is.EqualTo(new Shape(count, dim)));
        });
        Assert.That(backend.ToHost(actual), Is.EqualTo(Cpu.ToHost(expected)), "a gather: bit copies of the table's rows");
    }

    [TestCase(-1)]
    [TestCase(0)]
    public void EmbeddingIdsOutsideTheVocabularyAreRefusedBeforeAnythingReachesTheDevice(int offsetPastTheEnd)
    {
        int vocab = 41, dim = 13;
        using var counting = new CountingDevice(Emulator);
        using var backend = new CudaBackend(counting, Storage);
        using var table = backend.FromHost(Uniform(Random, vocab * dim), new Shape(vocab, dim));
        int bad = offsetPastTheEnd < 0 ? -1 : vocab + offsetPastTheEnd;
        counting.Reset();
        Assert.That(() => backend.Embedding(table, [3, 40, bad, 7]),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains($"token id {bad} outside the vocabulary of {vocab}"));
        Assert.That((counting.Launches, counting.Copies), Is.EqualTo((0, 0)), "refused on the host, before the ids are uploaded");
    }

    [TestCase(37, 53, 32, 128)]
    [TestCase(1, 19, 12, 20)]
    [TestCase(23, 1, 8, 9)]
    public void RelativePositionBiasEqualsTheCpuGather(int queries, int keys, int buckets, int maxDistance)
    {
        int heads = 5;
        var table = Representable(Uniform(Random, buckets * heads), Storage);
        var offsets = RelativePositionBuckets.ForOffsets(queries, keys, buckets, maxDistance);
        using var ctable = Cpu.FromHost(table, new Shape(buckets, heads));
        using var gtable = Cuda.FromHost(table, new Shape(buckets, heads));
        using var expected = Cpu.RelativePositionBias(ctable, offsets, queries, keys);
        using var actual = Cuda.RelativePositionBias(gtable, offsets, queries, keys);
        Assert.That(actual.Shape, Is.EqualTo(new Shape(heads, queries, keys)));
        Assert.That(Cuda.ToHost(actual), Is.EqualTo(Cpu.ToHost(expected)), "a gather: bit copies of the table");
        // The CPU gather itself against the definition, at one element per head (query 0, last key).
        var cpu = Cpu.ToHost(expected);
        for (int h = 0; h < heads; h++)
        {
            int bucket = RelativePositionBuckets.Bucket(keys - 1, buckets, maxDistance);
            Assert.That(cpu[((long)h * queries + 0) * keys + keys - 1], Is.EqualTo(table[bucket * heads + h]));
        }
    }

    [Test]
    public void BucketsOutsideTheTableAreRefusedOnTheHost()
    {
        using var table = Cuda.FromHost(Uniform(Random, 8 * 3), new Shape(8, 3));
        var offsets = new int[4 + 6 - 1];
        offsets[5] = 8;
        Assert.That(() => Cuda.RelativePositionBias(table, offsets, 4, 6),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("bucket 8 of offset 2 is outside the table's 8 buckets"));
        Assert.That(() => Cuda.RelativePositionBias(table, new int[8], 4, 6),
            Throws.ArgumentException.With.Message.Contains("8 offset buckets for 4 queries and 6 keys (need 9)"));
    }

    [Test]
    public void ResidualAddOfFiniteSumsEqualsTheCpu()
    {
        int rows = 29, d = 67;
        var x = Representable(Uniform(Random, rows * d), Storage);
        var y = Representable(Uniform(Random, rows * d), Storage);
        using var cx = Cpu.FromHost(x, new Shape(rows, d));
        using var cy = Cpu.FromHost(y, new Shape(rows, d));
        using var gx = Cuda.FromHost(x, new Shape(rows, d));
        using var gy = Cuda.FromHost(y, new Shape(rows, d));
        Cpu.ResidualAddInPlace(cx, cy);
        Cuda.ResidualAddInPlace(gx, gy);
        Assert.That(Cuda.ToHost(gx), Is.EqualTo(Representable(Cpu.ToHost(cx), Storage)), "one rounding of the fp32 sum");
    }

    /// <summary>
    /// Sums past fp16's range: in fp16 Storage every element is clamped to ±64512 (65504 − 1000 rounded to
    /// fp16) once any sum is ±Inf, even finite ones above the limit; NaN stays NaN. bf16/fp32 never clamp.
    /// </summary>
    [Test]
    public void SumsPastTheFp16RangeAreClampedOnlyInFp16()
    {
        int n = 301;
        var x = Representable(Uniform(Random, n, -1000f, 1000f), Storage);
        var y = Representable(Uniform(Random, n, -1000f, 1000f), Storage);
        (x[7], y[7]) = (60000f, 30000f);     // +Inf in fp16
        (x[150], y[150]) = (-50000f, -40000f); // −Inf in fp16
        (x[222], y[222]) = (64000f, 1000f);   // 65000: finite in fp16, above the clamp limit
        x[300] = float.NaN;
        using var gx = Cuda.FromHost(x, new Shape(n));
        using var gy = Cuda.FromHost(y, new Shape(n));
        Cuda.ResidualAddInPlace(gx, gy);
        var actual = Cuda.ToHost(gx);
        var sums = x.Zip(y, (a, b) => a + b).ToArray();
        if (Storage == DType.F16)
        {
            float limit = Representable([TextOps.Fp16ClampLimit], DType.F16)[0];
            Assert.That(limit, Is.EqualTo(64512f));
            var expected = Representable(sums.Select(s => float.IsNaN(s) ? s : Math.Clamp(s, -TextOps.Fp16ClampLimit, TextOps.Fp16ClampLimit)).ToArray(), DType.F16);
            Assert.Multiple(() =>
            {
                Assert.That((actual[7], actual[150], actual[222]), Is.EqualTo((limit, -limit, limit)));
                Assert.That(float.IsNaN(actual[300]), "NaN is not clamped (torch.clamp keeps it)");
                Assert.That(actual, Is.EqualTo(expected));
            });
        }
        else
        {
            Assert.That(actual, Is.EqualTo(Representable(sums, Storage)), "bf16/fp32 hold these sums: no clamp");
        }
    }

    /// <summary>Without an infinite sum nothing is clamped, even a finite value above the limit (the rule is conditional).</summary>
    [Test]
    public void FiniteSumsAboveTheLimitStayWhenNothingOverflows()
    {
        var x = Representable([64000f, 1f, -64000f], Storage);
        var y = Representable([1000f, 2f, -1000f], Storage);
        using var gx = Cuda.FromHost(x, new Shape(3));
        using var gy = Cuda.FromHost(y, new Shape(3));
        Cuda.ResidualAddInPlace(gx, gy);
        Assert.That(Cuda.ToHost(gx), Is.EqualTo(Representable([65000f, 3f, -65000f], Storage)));
    }
}
