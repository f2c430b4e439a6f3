using Wan.Kernels.Ops;
using static Wan.Testing.EmulatedTesting;
using static Wan.Testing.Metrics;

namespace Wan.Kernels.Tests.Emulated;

/// <summary>
/// What ElementwiseOps promises about aliasing: in-place unary and gated adds give the out-of-place
/// result; operands read by many threads, and copy sources, may not overlap the output.
/// </summary>
[Category("Emulated")]
public sealed class ElementwiseAliasingTests
{
    [TestCase(ElementType.BF16)]
    [TestCase(ElementType.F32)]
    public void InPlaceUnaryOpsEqualOutOfPlace(ElementType type)
    {
        var random = NewRandom();
        int n = 3001 + random.Next(500);
        var x = Representable(Uniform(random, n), DeviceArrays.ToDType(type));
        using var source = DeviceArrays.Upload(Emulator, x, type);
        using var separate = DeviceArrays.Poisoned(Emulator, n, type);
        using var inPlace = DeviceArrays.Upload(Emulator, x, type);
        ElementwiseOps.GeluTanh(Emulator, type, source, separate, n);
        ElementwiseOps.GeluTanh(Emulator, type, inPlace, inPlace, n);
        ElementwiseOps.Silu(Emulator, type, separate, source, n);
        ElementwiseOps.Silu(Emulator, type, inPlace, inPlace, n);
        var expected = Array.ConvertAll(x, v =>
        {
            var g = Representable([0.5f * v * (1f + MathF.Tanh(0.7978846f * (v + 0.044715f * v * v * v)))], DeviceArrays.ToDType(type))[0];
            return g / (1f + MathF.Exp(-g));
        });
        var viaSeparate = DeviceArrays.Download(Emulator, source, n, type);
        Assert.That(DeviceArrays.Download(Emulator, inPlace, n, type), Is.EqualTo(viaSeparate));
        AssertClose(viaSeparate, expected, Tolerance(DeviceArrays.ToDType(type)), $"silu(gelu(x)) {type}");
    }

    [Test]
    public void GatedAddOfABufferToItselfDoublesItByTheGate()
    {
        var random = NewRandom();
        int rows = 37, d = 29;
        var x = Uniform(random, rows * d);
        var gate = Uniform(random, d);
        using var dx = DeviceArrays.Upload(Emulator, x, ElementType.F32);
        using var dg = DeviceArrays.Upload(Emulator, gate, ElementType.F32);
        ElementwiseOps.GatedAdd(Emulator, ElementType.F32, dx, dx, dg, rows, d);
        var expected = x.Select((v, i) => MathF.FusedMultiplyAdd(gate[i % d], v, v)).ToArray();
        AssertClose(DeviceArrays.Download(Emulator, dx, x.Length, ElementType.F32), expected, 1e-6, "x += gate·x");
    }

    [Test]
    public void OverlapsTheKernelsCannotTakeAreRefused()
    {
        using var buffer = Emulator.Allocate(4 * 64);
        using var other = Emulator.Allocate(4 * 64);
        Assert.Multiple(() =>
        {
            Assert.That(() => ElementwiseOps.GatedAdd(Emulator, ElementType.F32, buffer, other, buffer, 4, 16),
                Throws.ArgumentException.With.Message.Contains("gate and x overlap"));
            Assert.That(() => ElementwiseOps.AddRowVector(Emulator, ElementType.F32, buffer, buffer, 4, 16),
                Throws.ArgumentException.With.Message.Contains("v and y overlap"));
            Assert.That(() => ElementwiseOps.Copy(Emulator, ElementType.F32, buffer, 0, buffer, 10, 20),
                Throws.ArgumentException.With.Message.Contains("source and destination overlap"));
            Assert.That(() => ElementwiseOps.Convert(Emulator, ElementType.F32, ElementType.BF16, buffer, buffer, 8),
                Throws.ArgumentException.With.Message.Contains("x and y overlap"));
        });
        ElementwiseOps.Copy(Emulator, ElementType.F32, buffer, 0, buffer, 20, 20);
    }
}
