using Wan.Kernels.Ops;
using static Wan.Kernels.Tests.Emulated.EmulatedTesting;

namespace Wan.Kernels.Tests.Emulated;

/// <summary>kernels/cuda/rope.cu against a naive loop of the adjacent-pair rotation.</summary>
[Category("Emulated")]
public sealed class RopeKernelTests
{
    [TestCase(ElementType.F32, false)]
    [TestCase(ElementType.BF16, false)]
    [TestCase(ElementType.F16, true)]
    [TestCase(ElementType.F32, true)]
    public void RotatesAdjacentPairsOfEveryHead(ElementType type, bool inPlace)
    {
        var random = NewRandom();
        int tokens = 29 + random.Next(8), heads = 3, pairs = 11, width = heads * 2 * pairs;
        int tableRows = tokens + 2; // the table may cover more tokens than the input has
        var x = Representable(Uniform(random, tokens * width), DeviceArrays.ToDType(type));
        var angles = Uniform(random, tableRows * pairs, -4f, 4f);
        var cos = Array.ConvertAll(angles, a => MathF.Cos(a));
        var sin = Array.ConvertAll(angles, a => MathF.Sin(a));

        var expected = new float[x.Length];
        for (int t = 0; t < tokens; t++)
        {
            for (int h = 0; h < heads; h++)
            {
                for (int j = 0; j < pairs; j++)
                {
                    int i = t * width + h * 2 * pairs + 2 * j;
                    float c = cos[t * pairs + j], s = sin[t * pairs + j];
                    expected[i] = x[i] * c - x[i + 1] * s;
                    expected[i + 1] = x[i] * s + x[i + 1] * c;
                }
            }
        }

        using var dx = DeviceArrays.Upload(Emulator, x, type);
        using var dcos = DeviceArrays.Upload(Emulator, cos, ElementType.F32);
        using var dsin = DeviceArrays.Upload(Emulator, sin, ElementType.F32);
        using var dy = DeviceArrays.Poisoned(Emulator, x.Length, type);
        var output = inPlace ? dx : dy;
        RopeOps.Apply(Emulator, type, dx, output, dcos, dsin, tokens, heads, pairs);
        AssertClose(DeviceArrays.Download(Emulator, output, x.Length, type), expected, Tolerance(DeviceArrays.ToDType(type)), $"rope {type}");
    }

    [Test]
    public void TooSmallATableIsRefused()
    {
        using var x = Emulator.Allocate(4 * 2 * 8 * 4);
        using var table = Emulator.Allocate(3 * 4 * 4);
        var error = Assert.Throws<ArgumentException>(() => RopeOps.Apply(Emulator, ElementType.F32, x, x, table, table, 4, 2, 4));
        Assert.That(error!.Message, Does.Contain("rope").And.Contain("cos"));
    }
}
