using Wan.Runtime.Backends.Cpu;
using Wan.Runtime.Tensors;
using Wan.Testing;

namespace Wan.Runtime.Tests.Backends;

/// <summary>
/// The CPU backend's expert-routing ops: per-sample modulation, gated add and linear equal the plain ops
/// on each sample alone bit for bit (what makes batched denoising exact), gather/scatter copy rows, and
/// bad batches are refused naming the shapes.
/// </summary>
public sealed class CpuRoutingOpsTests
{
    private readonly CpuBackend _cpu = new();
    private readonly RandomData _random = new();

    [Test]
    public void PerSampleOpsEqualThePlainOpsOnEachSampleBitForBit()
    {
        int samples = 3, perSample = 7, d = 96, m = 80;
        using var x = _cpu.FromHost(_random.Normal(samples * perSample * d), new Shape(samples * perSample, d));
        using var y = _cpu.FromHost(_random.Normal(samples * perSample * d), new Shape(samples * perSample, d));
        using var shift = _cpu.FromHost(_random.Normal(samples * d), new Shape(samples, d));
        using var scale = _cpu.FromHost(_random.Normal(samples * d), new Shape(samples, d));
        using var weight = _cpu.FromHost(_random.Normal(m * d), new Shape(m, d));
        using var bias = _cpu.FromHost(_random.Normal(m), new Shape(m));
        var normed = _cpu.ToHost(_cpu.ModulatedLayerNormPerSample(x, shift, scale, 1e-6f));
        var linear = _cpu.ToHost(_cpu.LinearPerSample(x, weight, bias, samples));
        var fused = _cpu.ToHost(_cpu.Linear(x, weight, bias));
        for (int s = 0; s < samples; s++)
        {
            using var xs = _cpu.SliceRows(x, s * perSample, perSample);
            using var sh = _cpu.SliceRows(shift, s, 1);
            using var sc = _cpu.SliceRows(scale, s, 1);
            Assert.That(normed.AsSpan(s * perSample * d, perSample * d).ToArray(), Is.EqualTo(_cpu.ToHost(_cpu.ModulatedLayerNorm(xs, sh, sc, 1e-6f))), $"adaLN sample {s}");
            Assert.That(linear.AsSpan(s * perSample * m, perSample * m).ToArray(), Is.EqualTo(_cpu.ToHost(_cpu.Linear(xs, weight, bias))), $"linear sample {s}");
        }
        TestContext.Out.WriteLine($"one GEMM over all rows differs from per-sample GEMMs in {fused.Where((v, i) => v != linear[i]).Count()} of {fused.Length} values");

        _cpu.GatedAddInPlacePerSample(x, y, shift);
        var wrong = Assert.Throws<ArgumentException>(() => _cpu.GatedAddInPlacePerSample(x, y, weight))!;
        Assert.That(wrong.Message, Does.StartWith("gated add_ per sample: per-sample operand [80, 96] must be [B, 96] with B dividing the 21 rows"));
    }

    [Test]
    public void GatherThenScatterRestoresTheRoutedRows()
    {
        var values = _random.Normal(6 * 5);
        using var x = _cpu.FromHost(values, new Shape(6, 5));
        using var index = _cpu.UploadRowIndex([4, 1, 5], 6);
        using var gathered = _cpu.GatherRows(x, index);
        Assert.That(_cpu.ToHost(gathered), Is.EqualTo(values.AsSpan(20, 5).ToArray().Concat(values.AsSpan(5, 5).ToArray()).Concat(values.AsSpan(25, 5).ToArray())));
        using var target = _cpu.FromHost(Enumerable.Repeat(9f, 30).ToArray(), new Shape(6, 5));
        _cpu.ScatterRowsInPlace(target, gathered, index);
        var back = _cpu.ToHost(target);
        Assert.That(back.AsSpan(20, 5).ToArray(), Is.EqualTo(values.AsSpan(20, 5).ToArray()));
        Assert.That(back.AsSpan(0, 5).ToArray(), Is.All.EqualTo(9f), "an unrouted row keeps its value");
    }
}
