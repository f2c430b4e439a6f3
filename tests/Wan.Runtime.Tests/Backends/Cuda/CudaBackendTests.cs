using Wan.Runtime.Backends;
using Wan.Runtime.Backends.Cpu;
using Wan.Runtime.Backends.Cuda;
using Wan.Runtime.Tensors;
using static Wan.Testing.EmulatedTesting;
using static Wan.Testing.Metrics;

namespace Wan.Runtime.Tests.Backends.Cuda;

/// <summary>
/// The CUDA backend on the emulated device against the CPU reference backend, per op and storage
/// dtype, on fresh random inputs with sizes that are no multiple of the block size. Both backends
/// get the same (storage-rounded) inputs; fresh emulated memory is NaN, so unwritten outputs fail.
/// </summary>
[Category("Emulated")]
[TestFixtureSource(nameof(Storages))]
public sealed class CudaBackendTests(DType storage)
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
    public void GeluTanh() => CompareUnary(b => b.GeluTanh, "gelu_tanh");

    [Test]
    public void Silu() => CompareUnary(b => b.Silu, "silu");

    [Test]
    public void Add() => CompareBinary((b, x, y) => b.Add(x, y), "add");

    [Test]
    public void Mul() => CompareBinary((b, x, y) => b.Mul(x, y), "mul");

    [Test]
    public void AddInPlace() => CompareBinary((b, x, y) => { b.AddInPlace(x, y); return x; }, "add_");

    [Test]
    public void GatedAddInPlace()
    {
        var (rows, d) = OddMatrix();
        var (cx, gx) = Pair(rows, d);
        var (cy, gy) = Pair(rows, d);
        var (cg, gg) = Pair(d);
        _cpu.GatedAddInPlace(cx, cy, cg);
        _cuda.GatedAddInPlace(gx, gy, gg);
        AssertClose(_cuda.ToHost(gx), _cpu.ToHost(cx), Tolerance(storage), $"gated add_ {storage}");
    }

    [Test]
    public void RmsNorm()
    {
        var (rows, d) = OddMatrix();
        var (cx, gx) = Pair(rows, d);
        var (cw, gw) = Pair(d);
        AssertClose(_cuda.ToHost(_cuda.RmsNorm(gx, gw, 1e-6f)), _cpu.ToHost(_cpu.RmsNorm(cx, cw, 1e-6f)), Tolerance(storage), $"rms_norm {storage}");
    }

    [TestCase(true)]
    [TestCase(false)]
    public void LayerNorm(bool affine)
    {
        var (rows, d) = OddMatrix();
        var (cx, gx) = Pair(rows, d);
        var (cw, gw) = Pair(d);
        var (cb, gb) = Pair(d);
        var expected = _cpu.ToHost(_cpu.LayerNorm(cx, affine ? cw : null, affine ? cb : null, 1e-6f));
        var actual = _cuda.ToHost(_cuda.LayerNorm(gx, affine ? gw : null, affine ? gb : null, 1e-6f));
        AssertClose(actual, expected, Tolerance(storage), $"layer_norm affine={affine} {storage}");
    }

    [Test]
    public void ModulatedLayerNorm()
    {
        var (rows, d) = OddMatrix();
        var (cx, gx) = Pair(rows, d);
        var (cshift, gshift) = Pair(d);
        var (cscale, gscale) = Pair(d);
        AssertClose(_cuda.ToHost(_cuda.ModulatedLayerNorm(gx, gshift, gscale, 1e-6f)),
            _cpu.ToHost(_cpu.ModulatedLayerNorm(cx, cshift, cscale, 1e-6f)), Tolerance(storage), $"modulated layer_norm {storage}");
    }

    [TestCase(true)]
    [TestCase(false)]
    public void Linear(bool withBias)
    {
        var (n, k) = OddMatrix();
        int m = 91 + _random.Next(9);
        var (cx, gx) = Pair(n, k);
        var (cw, gw) = Pair(m, k);
        var (cb, gb) = Pair(m);
        var expected = _cpu.ToHost(_cpu.Linear(cx, cw, withBias ? cb : null));
        var y = _cuda.Linear(gx, gw, withBias ? gb : null);
        Assert.That(y.Shape, Is.EqualTo(new Shape(n, m)));
        // Output rounding once by the GEMM and once more by the bias add.
        AssertClose(_cuda.ToHost(y), expected, 2 * Tolerance(storage), $"linear bias={withBias} {storage}");
    }

    [Test]
    public void SliceRowsAndReshapeKeepTheValues()
    {
        var (rows, d) = OddMatrix();
        var values = Representable(Uniform(_random, rows * d), storage);
        using var x = _cuda.FromHost(values, new Shape(rows, d));
        using var slice = _cuda.SliceRows(x, 5, rows - 9);
        Assert.That(_cuda.ToHost(slice), Is.EqualTo(values.AsSpan(5 * d, (rows - 9) * d).ToArray()));
        var view = _cuda.Reshape(x, new Shape(d, rows));
        x.Dispose(); // the view still holds the buffer
        Assert.That(_cuda.ToHost(view), Is.EqualTo(values));
        view.Dispose();
        Assert.Throws<ObjectDisposedException>(() => _ = ((CudaTensor)view).Buffer);
    }

    [Test]
    public void EmbeddingGathersRows()
    {
        int vocab = 53, d = 37;
        var (ctable, gtable) = Pair(vocab, d);
        var ids = Enumerable.Range(0, 29).Select(_ => _random.Next(vocab)).ToArray();
        Assert.That(_cuda.ToHost(_cuda.Embedding(gtable, ids)), Is.EqualTo(_cpu.ToHost(_cpu.Embedding(ctable, ids))));
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => _cuda.Embedding(gtable, [3, vocab]));
        Assert.That(error!.Message, Does.Contain($"token id {vocab}"));
    }

    [Test]
    public void Fp32TablesKeepTheirValuesAndAreNoStorageOperand()
    {
        var values = Uniform(_random, 3 * 41);
        using var table = _cuda.FromHostF32(values, new Shape(3, 41));
        using var other = _cuda.FromHost(values, new Shape(3, 41));
        using var view = _cuda.Reshape(table, new Shape(123));
        Assert.Multiple(() =>
        {
            Assert.That(table.DType, Is.EqualTo(DType.F32));
            Assert.That(_cuda.ToHost(table), Is.EqualTo(values), "no rounding to the storage dtype");
            Assert.That(_cuda.ToHost(view), Is.EqualTo(values));
        });
        if (storage != DType.F32)
        {
            Assert.That(() => _cuda.Add(table, other), Throws.ArgumentException.With.Message.Contains($"stored as F32; this op takes {storage}"));
        }
    }

    [Test]
    public void EmptyTensorsNeedNoDeviceMemory()
    {
        int vocab = 11, d = 23;
        var (_, gtable) = Pair(vocab, d);
        using var none = _cuda.Embedding(gtable, []);
        using var noRows = _cuda.SliceRows(gtable, vocab, 0);
        Assert.Multiple(() =>
        {
            Assert.That(none.Shape, Is.EqualTo(new Shape(0, d)));
            Assert.That(_cuda.ToHost(none), Is.Empty);
            Assert.That(noRows.Shape, Is.EqualTo(new Shape(0, d)));
            Assert.That(_cuda.ToHost(noRows), Is.Empty);
        });
    }

    [Test]
    public void TimestepSinusoidMatchesTheReferenceInStorage()
    {
        double t = 999 * _random.NextDouble();
        var expected = Representable(_cpu.ToHost(_cpu.TimestepSinusoid(t, 256)), storage);
        Assert.That(_cuda.ToHost(_cuda.TimestepSinusoid(t, 256)), Is.EqualTo(expected));
    }

    [Test]
    public void PatchifyIsTheStridedConv3d()
    {
        var patch = (T: 1 + _random.Next(2), H: 2, W: 1 + _random.Next(3));
        int c = 5, d = 19 + _random.Next(9);
        var (cl, gl) = Pair(c, 3 * patch.T, 5 * patch.H, 7 * patch.W);
        var (cw, gw) = Pair(d, c, patch.T, patch.H, patch.W);
        var (cb, gb) = Pair(d);
        var y = _cuda.Patchify(gl, gw, gb, patch);
        Assert.That(y.Shape, Is.EqualTo(new Shape(3 * 5 * 7, d)));
        // The GEMM rounds once and the bias add once more.
        AssertClose(_cuda.ToHost(y), _cpu.ToHost(_cpu.Patchify(cl, cw, cb, patch)), 2 * Tolerance(storage), $"patchify {patch} {storage}");
        Assert.That(() => _cuda.Patchify(gl, gb, gb, patch), Throws.ArgumentException.With.Message.Contains("patchify"));
    }

    [Test]
    public void UnpatchifyRestoresTheVideoLayout()
    {
        var patch = (T: 1 + _random.Next(2), H: 2, W: 1 + _random.Next(3));
        var grid = (F: 2, H: 3 + _random.Next(3), W: 5);
        int c = 3;
        var (ct, gt) = Pair(grid.F * grid.H * grid.W, patch.T * patch.H * patch.W * c);
        var y = _cuda.Unpatchify(gt, c, grid, patch);
        Assert.That(y.Shape, Is.EqualTo(new Shape(c, grid.F * patch.T, grid.H * patch.H, grid.W * patch.W)));
        Assert.That(_cuda.ToHost(y), Is.EqualTo(_cpu.ToHost(_cpu.Unpatchify(ct, c, grid, patch))));
        Assert.That(() => _cuda.Unpatchify(gt, c + 1, grid, patch), Throws.ArgumentException.With.Message.Contains("unpatchify"));
    }

    [Test]
    public void DeclaresTheDitAndTextEncoderFamiliesAndItsCapabilities() =>
        Assert.That(_cuda, Is.InstanceOf<IDitOps>().And.InstanceOf<ITextEncoderOps>().And.InstanceOf<IStepCapture>().And.InstanceOf<INonFiniteCheck>(),
            "the umT5 forward is checked against the t5 goldens on CUDA (CudaT5GoldenTests), so the family is declared");

    [Test]
    public void TensorsOfAnotherBackendAndMismatchedShapesAreRefused()
    {
        using var x = _cuda.FromHost(new float[12], new Shape(3, 4));
        using var y = _cuda.FromHost(new float[12], new Shape(4, 3));
        var cpuTensor = _cpu.FromHost(new float[12], new Shape(3, 4));
        Assert.That(() => _cuda.Add(x, cpuTensor), Throws.ArgumentException.With.Message.Contains("does not belong"));
        Assert.That(() => _cuda.Add(x, y), Throws.ArgumentException.With.Message.Contains("differ"));
        Assert.That(() => _cuda.RmsNorm(x, y, 1e-6f), Throws.ArgumentException.With.Message.Contains("rms_norm weight"));
    }

    private (int Rows, int Cols) OddMatrix() => (37 + _random.Next(8), 203 + _random.Next(60));

    /// <summary>The same storage-rounded random values on the CPU and on the CUDA backend.</summary>
    private (Tensor Cpu, Tensor Cuda) Pair(params int[] dims)
    {
        var shape = new Shape(dims);
        var values = Representable(Uniform(_random, shape.Size), storage);
        return (_cpu.FromHost(values, shape), _cuda.FromHost(values, shape));
    }

    private void CompareUnary(Func<IBackend, Func<Tensor, Tensor>> op, string what)
    {
        var (rows, d) = OddMatrix();
        var (cx, gx) = Pair(rows, d);
        AssertClose(_cuda.ToHost(op(_cuda)(gx)), _cpu.ToHost(op(_cpu)(cx)), Tolerance(storage), $"{what} {storage}");
    }

    private void CompareBinary(Func<IBackend, Tensor, Tensor, Tensor> op, string what)
    {
        var (rows, d) = OddMatrix();
        var (ca, ga) = Pair(rows, d);
        var (cb, gb) = Pair(rows, d);
        AssertClose(_cuda.ToHost(op(_cuda, ga, gb)), _cpu.ToHost(op(_cpu, ca, cb)), Tolerance(storage), $"{what} {storage}");
    }
}
