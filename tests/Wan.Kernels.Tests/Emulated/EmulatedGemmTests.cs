using Wan.Kernels.Device;
using Wan.Kernels.Ops;
using Wan.Runtime.Tensors;
using static Wan.Testing.EmulatedTesting;
using static Wan.Testing.Metrics;

namespace Wan.Kernels.Tests.Emulated;

/// <summary>EmulatedDevice.Gemm against a naive loop: transposes, padded leading dimensions, batches, storage rounding.</summary>
[Category("Emulated")]
public sealed class EmulatedGemmTests
{
    [TestCase(ElementType.F32, false, true, 0f)]
    [TestCase(ElementType.F32, true, false, 0.5f)]
    [TestCase(ElementType.BF16, false, true, 0f)]
    [TestCase(ElementType.F16, true, true, -1.25f)]
    public void StridedBatchedGemmMatchesANaiveLoop(ElementType type, bool transA, bool transB, float beta)
    {
        var random = NewRandom();
        int m = 13 + random.Next(5), n = 19 + random.Next(5), k = 23 + random.Next(5), batches = 3;
        int rowsA = transA ? k : m, colsA = transA ? m : k, rowsB = transB ? n : k, colsB = transB ? k : n;
        int lda = colsA + 3, ldb = colsB + 1, ldc = n + 2;
        long strideA = (long)rowsA * lda + 5, strideB = (long)rowsB * ldb, strideC = (long)m * ldc + 7;
        var dtype = DeviceArrays.ToDType(type);
        var a = Representable(Uniform(random, (int)(strideA * batches)), dtype);
        var b = Representable(Uniform(random, (int)(strideB * batches)), dtype);
        var c = Representable(Uniform(random, (int)(strideC * batches)), dtype);
        float alpha = 0.75f;

        var expected = (float[])c.Clone();
        for (int batch = 0; batch < batches; batch++)
        {
            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    double sum = 0;
                    for (int p = 0; p < k; p++)
                    {
                        double av = a[batch * strideA + (transA ? p * lda + i : i * lda + p)];
                        double bv = b[batch * strideB + (transB ? j * ldb + p : p * ldb + j)];
                        sum += av * bv;
                    }
                    long index = batch * strideC + i * ldc + j;
                    expected[index] = (float)(alpha * sum + (beta == 0 ? 0 : beta * c[index]));
                }
            }
        }

        using var da = DeviceArrays.Upload(Emulator, a, type);
        using var db = DeviceArrays.Upload(Emulator, b, type);
        using var dc = DeviceArrays.Upload(Emulator, beta == 0 ? PoisonRows(c, m, n, ldc, strideC, batches) : c, type);
        var gemmType = type switch { ElementType.F32 => GemmType.F32, ElementType.F16 => GemmType.F16, _ => GemmType.BF16 };
        Emulator.Gemm(new GemmDesc(transA, transB, m, n, k, alpha, da.Address, lda, strideA, db.Address, ldb, strideB,
            beta, dc.Address, ldc, strideC, batches, gemmType, gemmType));

        var actual = DeviceArrays.Download(Emulator, dc, c.Length, type);
        // The padding between rows and batches must be untouched.
        for (long i = 0; i < c.Length; i++)
        {
            long inBatch = i % strideC;
            if (inBatch >= (long)m * ldc || inBatch % ldc >= n)
            {
                Assert.That(actual[i], Is.EqualTo(c[i]), $"padding element {i} was written");
            }
        }
        AssertClose(actual, expected, Tolerance(dtype), $"gemm {type} transA={transA} transB={transB} beta={beta}");
    }

    [Test]
    public void DescriptionsCuBlasRefusesAreRefused()
    {
        using var buffer = Emulator.Allocate(4096);
        var good = new GemmDesc(false, false, 4, 4, 8, 1f, buffer.Address, 8, 0, buffer.Address, 4, 0, 0f, buffer.Address, 4, 0, 1, GemmType.F32, GemmType.F32);
        Emulator.Gemm(good);
        Assert.Multiple(() =>
        {
            Assert.That(() => Emulator.Gemm(good with { Lda = 7 }), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("leading dimension of A is 7"));
            Assert.That(() => Emulator.Gemm(good with { TransB = true }), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("leading dimension of B is 4"));
            Assert.That(() => Emulator.Gemm(good with { OutputType = GemmType.BF16 }), Throws.ArgumentException.With.Message.Contains("F32 inputs cannot produce BF16"));
            Assert.That(() => Emulator.Gemm(good with { InputType = GemmType.F16, OutputType = GemmType.BF16 }), Throws.ArgumentException.With.Message.Contains("F16 inputs cannot produce BF16"));
            Assert.That(() => Emulator.Gemm(good with { BatchCount = 0 }), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("batch"));
            Assert.That(() => Emulator.Gemm(good with { B = 0 }), Throws.ArgumentException.With.Message.Contains("null operand"));
        });
        Assert.DoesNotThrow(() => Emulator.Gemm(good with { K = 0, A = 0, B = 0, Lda = 1 }), "with K = 0, A and B are never read");
    }

    /// <summary>NaN in the C region (β = 0 must not read it), the original values in the padding.</summary>
    private static float[] PoisonRows(float[] c, int m, int n, int ldc, long strideC, int batches)
    {
        var poisoned = (float[])c.Clone();
        for (int batch = 0; batch < batches; batch++)
        {
            for (int i = 0; i < m; i++)
            {
                Array.Fill(poisoned, float.NaN, (int)(batch * strideC + i * ldc), n);
            }
        }
        return poisoned;
    }
}
