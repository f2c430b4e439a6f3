using Wan.Runtime.Backends;
using Wan.Runtime.Tensors;
using Wan.Testing;
using static Wan.Testing.EmulatedTesting;
using static Wan.Testing.Metrics;

namespace Wan.Runtime.Tests.Backends.Cuda;

/// <summary>
/// The expert-routing ops of the CUDA backend (kernels/cuda/routing.cu and the gather) on the emulated
/// device, per storage dtype, on fresh random inputs of odd sizes: gather and scatter are bit copies, the
/// per-sample modulation equals the plain op on each sample alone bit for bit and the CPU within one
/// rounding; bad routing tables are refused naming the problem.
/// </summary>
public sealed class CudaRoutingOpsTests(DType storage) : EmulatedBackendFixture(storage)
{
    [Test]
    public void GatherAndScatterCopyTheRoutedRowsBitForBit()
    {
        int rows = 9 + Random.Next(5), cols = 101 + Random.Next(40);
        var values = Representable(Uniform(Random, rows * cols), Storage);
        using var x = Cuda.FromHost(values, new Shape(rows, cols));
        int[] routed = [.. Enumerable.Range(0, rows).OrderBy(_ => Random.Next()).Take(rows / 2 + 1)];
        using var index = Cuda.UploadRowIndex(routed, rows);
        using var gathered = Cuda.GatherRows(x, index);
        var expected = routed.SelectMany(r => values.AsSpan(r * cols, cols).ToArray()).ToArray();
        Assert.That(Cuda.ToHost(gathered), Is.EqualTo(expected), "gather");

        var poison = Enumerable.Repeat(-3.5f, rows * cols).ToArray();
        using var target = Cuda.FromHost(poison, new Shape(rows, cols));
        Cuda.ScatterRowsInPlace(target, gathered, index);
        var scattered = Cuda.ToHost(target);
        for (int r = 0; r < rows; r++)
        {
            var row = scattered.AsSpan(r * cols, cols).ToArray();
            Assert.That(row, Is.EqualTo(routed.Contains(r) ? values.AsSpan(r * cols, cols).ToArray() : poison.AsSpan(0, cols).ToArray()), $"row {r}");
        }
    }

    [Test]
    public void PerSampleModulationEqualsThePlainOpOnEachSampleAndTheCpu()
    {
        int samples = 3, perSample = 5 + Random.Next(4), d = 203 + Random.Next(60), rows = samples * perSample;
        var (cx, gx) = Pair(rows, d);
        var (cShift, gShift) = Pair(samples, d);
        var (cScale, gScale) = Pair(samples, d);
        var (cGate, gGate) = Pair(samples, d);
        var (cy, gy) = Pair(rows, d);

        using var normed = Cuda.ModulatedLayerNormPerSample(gx, gShift, gScale, 1e-6f);
        using var cpuNormed = Cpu.ModulatedLayerNormPerSample(cx, cShift, cScale, 1e-6f);
        AssertClose(Cuda.ToHost(normed), Cpu.ToHost(cpuNormed), Tolerance(Storage), $"modulated layer_norm per sample {Storage}");
        var all = Cuda.ToHost(normed);
        for (int s = 0; s < samples; s++)
        {
            using var xs = Cuda.SliceRows(gx, s * perSample, perSample);
            using var shift = Cuda.SliceRows(gShift, s, 1);
            using var scale = Cuda.SliceRows(gScale, s, 1);
            using var alone = Cuda.ModulatedLayerNorm(xs, shift, scale, 1e-6f);
            Assert.That(all.AsSpan(s * perSample * d, perSample * d).ToArray(), Is.EqualTo(Cuda.ToHost(alone)), $"sample {s} alone");
        }

        Cuda.GatedAddInPlacePerSample(gx, gy, gGate);
        Cpu.GatedAddInPlacePerSample(cx, cy, cGate);
        AssertClose(Cuda.ToHost(gx), Cpu.ToHost(cx), Tolerance(Storage), $"gated add_ per sample {Storage}");
    }

    [Test]
    public void RoutingTablesThatCannotWorkAreRefused()
    {
        var outside = Assert.Throws<ArgumentOutOfRangeException>(() => Cuda.UploadRowIndex([0, 4], 4))!;
        Assert.That(outside.Message, Does.StartWith("routing table: row 4 outside a batch of 4"));
        using var repeated = Cuda.UploadRowIndex([1, 1], 4);
        using var target = Cuda.FromHost(new float[8], new Shape(4, 2));
        using var rows = Cuda.FromHost(new float[4], new Shape(2, 2));
        var twice = Assert.Throws<ArgumentException>(() => Cuda.ScatterRowsInPlace(target, rows, repeated))!;
        Assert.That(twice.Message, Is.EqualTo("scatter rows: the routing table repeats a row"));
        using var cpuIndex = Cpu.UploadRowIndex([0], 4);
        var foreign = Assert.Throws<ArgumentException>(() => Cuda.GatherRows(target, cpuIndex))!;
        Assert.That(foreign.Message, Does.StartWith("routing table of cpu used on cuda"));
    }

    private (Tensor Cpu, Tensor Cuda) Pair(params int[] dims)
    {
        var shape = new Shape(dims);
        var values = Representable(Uniform(Random, shape.Size), Storage);
        return (Cpu.FromHost(values, shape), Cuda.FromHost(values, shape));
    }
}
