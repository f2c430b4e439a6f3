using Wan.Runtime.Backends.Cpu;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Tests.Backends;

/// <summary>The CPU backend's non-finite count on every kind of float32 value.</summary>
public sealed class CpuNonFiniteTests
{
    [Test]
    public void CountsNaNAndBothInfinitiesAndNothingElse()
    {
        using var cpu = new CpuBackend();
        var random = new Random(11);
        var values = Enumerable.Range(0, 10_007).Select(_ => (float)(random.NextDouble() * 2 - 1) * 3e38f).ToArray();
        values[0] = float.MaxValue;
        values[1] = float.Epsilon;
        values[2] = -0f;
        int[] bad = [5, 77, 1000, 10_006];
        values[5] = float.NaN;
        values[77] = float.PositiveInfinity;
        values[1000] = float.NegativeInfinity;
        values[10_006] = BitConverter.Int32BitsToSingle(unchecked((int)0xFFC0_0001)); // a negative NaN with payload
        using var x = cpu.FromHost(values, new Shape(values.Length));
        Assert.That(cpu.CountNonFinite(x), Is.EqualTo(bad.Length));
        using var finite = cpu.FromHost(values.Select(v => float.IsFinite(v) ? v : 1f).ToArray(), new Shape(values.Length));
        Assert.That(cpu.CountNonFinite(finite), Is.Zero);
    }
}
