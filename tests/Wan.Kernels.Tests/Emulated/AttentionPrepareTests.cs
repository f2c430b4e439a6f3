using Wan.Kernels.Ops;
using static Wan.Testing.EmulatedTesting;
using static Wan.Testing.Metrics;

namespace Wan.Kernels.Tests.Emulated;

/// <summary>
/// The rotation of the attention pre-pass (attention_prepare_T without the norm) against a naive
/// loop of the adjacent-pair rotation by fp32 tables. The only rounding left is the output's: the
/// tables are read in fp32 whatever the storage type.
/// </summary>
[Category("Emulated")]
public sealed class AttentionPrepareTests
{
    [TestCase(ElementType.F32, false, 1e-6)]
    [TestCase(ElementType.BF16, false, 1e-4)]
    [TestCase(ElementType.F16, true, 1e-4)]
    [TestCase(ElementType.F32, true, 1e-6)]
    public void RotatesAdjacentPairsOfEveryHeadByFp32Tables(ElementType type, bool inPlace, double tolerance)
    {
        var random = NewRandom();
        int tokens = 29 + random.Next(8), heads = 3, pairs = 11, width = heads * 2 * pairs;
        int tableRows = tokens + 2; // the table may cover more tokens than the input has
        var storage = DeviceArrays.ToDType(type);
        var x = Representable(Uniform(random, tokens * width), storage);
        var angles = Uniform(random, tableRows * pairs, -4f, 4f);
        var cos = Array.ConvertAll(angles, MathF.Cos);
        var sin = Array.ConvertAll(angles, MathF.Sin);

        var exact = new float[x.Length];
        for (int t = 0; t < tokens; t++)
        {
            for (int h = 0; h < heads; h++)
            {
                for (int j = 0; j < pairs; j++)
                {
                    int i = t * width + h * 2 * pairs + 2 * j;
                    float c = cos[t * pairs + j], s = sin[t * pairs + j];
                    exact[i] = x[i] * c - x[i + 1] * s;
                    exact[i + 1] = x[i] * s + x[i + 1] * c;
                }
            }
        }
        // Rounding the tables to a 16-bit type as well would leave errors of ~1e-3 here.
        var expected = Representable(exact, storage);

        using var dx = DeviceArrays.Upload(Emulator, x, type);
        using var dcos = DeviceArrays.Upload(Emulator, cos, ElementType.F32);
        using var dsin = DeviceArrays.Upload(Emulator, sin, ElementType.F32);
        using var dy = DeviceArrays.Poisoned(Emulator, x.Length, type);
        var output = inPlace ? dx : dy;
        AttentionOps.Prepare(Emulator, type, dx, null, dcos, dsin, output, tokens, width, 2 * pairs, 1e-6f);
        AssertClose(DeviceArrays.Download(Emulator, output, x.Length, type), expected, tolerance, $"rope pre-pass {type}");
    }

    [Test]
    public void TooSmallAnFp32TableIsRefused()
    {
        int rows = 4, dim = 16, headDim = 8;
        using var x = Emulator.Allocate(2L * rows * dim);
        // Big enough for rows·headDim/2 bf16 values, not for as many fp32 ones.
        using var table = Emulator.Allocate(2L * rows * headDim / 2);
        var error = Assert.Throws<ArgumentException>(() => AttentionOps.Prepare(Emulator, ElementType.BF16, x, null, table, table, x, rows, dim, headDim, 1e-6f));
        Assert.That(error!.Message, Does.Contain("attention_prepare").And.Contain("cos"));
    }
}
