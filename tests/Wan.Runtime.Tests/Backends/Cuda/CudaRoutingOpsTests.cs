using Wan.Runtime.Backends;
using Wan.Runtime.Backends.Cpu;
using Wan.Runtime.Backends.Cuda;
using Wan.Runtime.Tensors;
using static Wan.Testing.EmulatedTesting;
using static Wan.Testing.Metrics;

namespace Wan.Runtime.Tests.Backends.Cuda;

/// <summary>
/// The expert-routing ops of the CUDA backend (kernels/cuda/routing.cu and the gather) on the emulated
/// device, per storage dtype, on fresh random inputs of odd sizes: gather and scatter are bit copies, the
/// per-sample modulation equals the plain op on each sample alone bit for bit and the CPU within one
/// rounding; bad routing tables are refused naming the problem.
/// </summary>
[Category("Emulated")]
[TestFixtureSource(nameof(Storages))]
public sealed class CudaRoutingOpsTests(DType storage)
{
    public static readonly DType[] Storages = [DType.F32, DType.BF16, DType.F16];

    private readonly CpuBackend _cpu = new();
    private CudaBackend _cuda = null!;
    private Random _random = null!;

    [SetUp]
    public void SetUp()
    {
        _cuda = new CudaBackend(Emulator, storage);
        _random = NewRandom();
    }

    [TearDown]
    public void TearDown() => _cuda.Dispose();

    [Test]
    public void GatherAndScatterCopyTheRoutedRowsBitForBit()
    {
        int rows = 9 + _random.Next(5), cols = 101 + _random.Next(40);
        var values = Representable(Uniform(_random, rows * cols), storage);
        using var x = _cuda.FromHost(values, new Shape(rows, cols));
        int[] routed = [.. Enumerable.Range(0, rows).OrderBy(_ => _random.Next()).Take(rows / 2 + 1)];
        using var index = _cuda.UploadRowIndex(routed, rows);
        using var gathered = _cuda.GatherRows(x, index);
        var expected = routed.SelectMany(r => values.AsSpan(r * cols, cols).ToArray()).ToArray();
        Assert.That(_cuda.ToHost(gathered), Is.EqualTo(expected), "gather");

        var poison = Enumerable.Repeat(-3.5f, rows * cols).ToArray();
        using var target = _cuda.FromHost(poison, new Shape(rows, cols));
        _cuda.ScatterRowsInPlace(target, gathered, index);
        var scattered = _cuda.ToHost(target);
        for (int r = 0; r < rows; r++)
        {
            var row = scattered.AsSpan(r * cols, cols).ToArray();
            Assert.That(row, Is.EqualTo(routed.Contains(r) ? values.AsSpan(r * cols, cols).ToArray() : poison.AsSpan(0, cols).ToArray()), $"row {r}");
        }
    }

    [Test]
    public void PerSampleModulationEqualsThePlainOpOnEachSampleAndTheCpu()
    {
        int samples = 3, perSample = 5 + _random.Next(4), d = 203 + _random.Next(60), rows = samples * perSample;
        var (cx, gx) = Pair(rows, d);
        var (cShift, gShift) = Pair(samples, d);
        var (cScale, gScale) = Pair(samples, d);
        var (cGate, gGate) = Pair(samples, d);
        var (cy, gy) = Pair(rows, d);

        using var normed = _cuda.ModulatedLayerNormPerSample(gx, gShift, gScale, 1e-6f);
        using var cpuNormed = _cpu.ModulatedLayerNormPerSample(cx, cShift, cScale, 1e-6f);
        AssertClose(_cuda.ToHost(normed), _cpu.ToHost(cpuNormed), Tolerance(storage), $"modulated layer_norm per sample {storage}");
        var all = _cuda.ToHost(normed);
        for (int s = 0; s < samples; s++)
        {
            using var xs = _cuda.SliceRows(gx, s * perSample, perSample);
            using var shift = _cuda.SliceRows(gShift, s, 1);
            using var scale = _cuda.SliceRows(gScale, s, 1);
            using var alone = _cuda.ModulatedLayerNorm(xs, shift, scale, 1e-6f);
            Assert.That(all.AsSpan(s * perSample * d, perSample * d).ToArray(), Is.EqualTo(_cuda.ToHost(alone)), $"sample {s} alone");
        }

        _cuda.GatedAddInPlacePerSample(gx, gy, gGate);
        _cpu.GatedAddInPlacePerSample(cx, cy, cGate);
        AssertClose(_cuda.ToHost(gx), _cpu.ToHost(cx), Tolerance(storage), $"gated add_ per sample {storage}");
    }

    [Test]
    public void RoutingTablesThatCannotWorkAreRefused()
    {
        var outside = Assert.Throws<ArgumentOutOfRangeException>(() => _cuda.UploadRowIndex([0, 4], 4))!;
        Assert.That(outside.Message, Does.StartWith("routing table: row 4 outside a batch of 4"));
        using var repeated = _cuda.UploadRowIndex([1, 1], 4);
        using var target = _cuda.FromHost(new float[8], new Shape(4, 2));
        using var rows = _cuda.FromHost(new float[4], new Shape(2, 2));
        var twice = Assert.Throws<ArgumentException>(() => _cuda.ScatterRowsInPlace(target, rows, repeated))!;
        Assert.That(twice.Message, Is.EqualTo("scatter rows: the routing table repeats a row"));
        using var cpuIndex = _cpu.UploadRowIndex([0], 4);
        var foreign = Assert.Throws<ArgumentException>(() => _cuda.GatherRows(target, cpuIndex))!;
        Assert.That(foreign.Message, Does.StartWith("routing table of cpu used on cuda"));
    }

    private (Tensor Cpu, Tensor Cuda) Pair(params int[] dims)
    {
        var shape = new Shape(dims);
        var values = Representable(Uniform(_random, shape.Size), storage);
        return (_cpu.FromHost(values, shape), _cuda.FromHost(values, shape));
    }
}
