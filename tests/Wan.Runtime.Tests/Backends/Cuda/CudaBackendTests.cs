using Wan.Runtime.Backends;
using Wan.Runtime.Backends.Cuda;
using Wan.Runtime.Tensors;
using Wan.Testing;
using static Wan.Testing.EmulatedTesting;
using static Wan.Testing.Metrics;

namespace Wan.Runtime.Tests.Backends.Cuda;

/// <summary>
/// The CUDA backend on the emulated device against the CPU reference backend, per op and storage
/// dtype, on fresh random inputs with sizes that are no multiple of the block size. Both backends
/// get the same (storage-rounded) inputs; fresh emulated memory is NaN, so unwritten outputs fail.
/// </summary>
public sealed class CudaBackendTests(DType storage) : EmulatedBackendFixture(storage)
{
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
        Cpu.GatedAddInPlace(cx, cy, cg);
        Cuda.GatedAddInPlace(gx, gy, gg);
        AssertClose(Cuda.ToHost(gx), Cpu.ToHost(cx), Tolerance(Storage), $"gated add_ {Storage}");
    }

    [Test]
    public void RmsNorm()
    {
        var (rows, d) = OddMatrix();
        var (cx, gx) = Pair(rows, d);
        var (cw, gw) = Pair(d);
        AssertClose(Cuda.ToHost(Cuda.RmsNorm(gx, gw, 1e-6f)), Cpu.ToHost(Cpu.RmsNorm(cx, cw, 1e-6f)), Tolerance(Storage), $"rms_norm {Storage}");
    }

    [TestCase(true)]
    [TestCase(false)]
    public void LayerNorm(bool affine)
    {
        var (rows, d) = OddMatrix();
        var (cx, gx) = Pair(rows, d);
        var (cw, gw) = Pair(d);
        var (cb, gb) = Pair(d);
        var expected = Cpu.ToHost(Cpu.LayerNorm(cx, affine ? cw : null, affine ? cb : null, 1e-6f));
        var actual = Cuda.ToHost(Cuda.LayerNorm(gx, affine ? gw : null, affine ? gb : null, 1e-6f));
        AssertClose(actual, expected, Tolerance(Storage), $"layer_norm affine={affine} {Storage}");
    }

    [Test]
    public void ModulatedLayerNorm()
    {
        var (rows, d) = OddMatrix();
        var (cx, gx) = Pair(rows, d);
        var (cshift, gshift) = Pair(d);
        var (cscale, gscale) = Pair(d);
        AssertClose(Cuda.ToHost(Cuda.ModulatedLayerNorm(gx, gshift, gscale, 1e-6f)),
            Cpu.ToHost(Cpu.ModulatedLayerNorm(cx, cshift, cscale, 1e-6f)), Tolerance(Storage), $"modulated layer_norm {Storage}");
    }

    [TestCase(true)]
    [TestCase(false)]
    public void Linear(bool withBias)
    {
        var (n, k) = OddMatrix();
        int m = 91 + Random.Next(9);
        var (cx, gx) = Pair(n, k);
        var (cw, gw) = Pair(m, k);
        var (cb, gb) = Pair(m);
        var expected = Cpu.ToHost(Cpu.Linear(cx, cw, withBias ? cb : null));
        var y = Cuda.Linear(gx, gw, withBias ? gb : null);
        Assert.That(y.Shape, Is.EqualTo(new Shape(n, m)));
        // Output rounding once by the GEMM and once more by the bias add.
        AssertClose(Cuda.ToHost(y), expected, 2 * Tolerance(Storage), $"linear bias={withBias} {Storage}");
    }

    [Test]
    public void SliceRowsAndReshapeKeepTheValues()
    {
        var (rows, d) = OddMatrix();
        var values = Representable(Uniform(Random, rows * d), Storage);
        using var x = Cuda.FromHost(values, new Shape(rows, d));
        using var slice = Cuda.SliceRows(x, 5, rows - 9);
        Assert.That(Cuda.ToHost(slice), Is.EqualTo(values.AsSpan(5 * d, (rows - 9) * d).ToArray()));
        var view = Cuda.Reshape(x, new Shape(d, rows));
        x.Dispose(); // the view still holds the buffer
        Assert.That(Cuda.ToHost(view), Is.EqualTo(values));
        view.Dispose();
        Assert.Throws<ObjectDisposedException>(() => _ = ((CudaTensor)view).Buffer);
    }

    [Test]
    public void EmbeddingGathersRows()
    {
        int vocab = 53, d = 37;
        var (ctable, gtable) = Pair(vocab, d);
        var ids = Enumerable.Range(0, 29).Select(_ => Random.Next(vocab)).ToArray();
        Assert.That(Cuda.ToHost(Cuda.Embedding(gtable, ids)), Is.EqualTo(Cpu.ToHost(Cpu.Embedding(ctable, ids))));
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Cuda.Embedding(gtable, [3, vocab]));
        Assert.That(error!.Message, Does.Contain($"token id {vocab}"));
    }

    [Test]
    public void Fp32TablesKeepTheirValuesAndAreNoStorageOperand()
    {
        var values = Uniform(Random, 3 * 41);
        using var table = Cuda.FromHostF32(values, new Shape(3, 41));
        using var other = Cuda.FromHost(values, new Shape(3, 41));
        using var view = Cuda.Reshape(table, new Shape(123));
        Assert.Multiple(() =>
        {
            Assert.That(table.DType, Is.EqualTo(DType.F32));
            Assert.That(Cuda.ToHost(table), Is.EqualTo(values), "no rounding to the Storage dtype");
            Assert.That(Cuda.ToHost(view), Is.EqualTo(values));
        });
        if (Storage != DType.F32)
        {
            Assert.That(() => Cuda.Add(table, other), Throws.ArgumentException.With.Message.Contains($"stored as F32; this op takes {Storage}"));
        }
    }

    [Test]
    public void EmptyTensorsNeedNoDeviceMemory()
    {
        int vocab = 11, d = 23;
        var (_, gtable) = Pair(vocab, d);
        using var none = Cuda.Embedding(gtable, []);
        using var noRows = Cuda.SliceRows(gtable, vocab, 0);
        Assert.Multiple(() =>
        {
            Assert.That(none.Shape, Is.EqualTo(new Shape(0, d)));
            Assert.That(Cuda.ToHost(none), Is.Empty);
            Assert.That(noRows.Shape, Is.EqualTo(new Shape(0, d)));
            Assert.That(Cuda.ToHost(noRows), Is.Empty);
        });
    }

    [Test]
    public void TimestepSinusoidMatchesTheReferenceInStorage()
    {
        double t = 999 * Random.NextDouble();
        var expected = Representable(Cpu.ToHost(Cpu.TimestepSinusoid(t, 256)), Storage);
        Assert.That(Cuda.ToHost(Cuda.TimestepSinusoid(t, 256)), Is.EqualTo(expected));
    }

    [Test]
    public void PatchifyIsTheStridedConv3d()
    {
        var patch = (T: 1 + Random.Next(2), H: 2, W: 1 + Random.Next(3));
        int c = 5, d = 19 + Random.Next(9);
        var (cl, gl) = Pair(c, 3 * patch.T, 5 * patch.H, 7 * patch.W);
        var (cw, gw) = Pair(d, c, patch.T, patch.H, patch.W);
        var (cb, gb) = Pair(d);
        var y = Cuda.Patchify(gl, gw, gb, patch);
        Assert.That(y.Shape, Is.EqualTo(new Shape(3 * 5 * 7, d)));
        // The GEMM rounds once and the bias add once more.
        AssertClose(Cuda.ToHost(y), Cpu.ToHost(Cpu.Patchify(cl, cw, cb, patch)), 2 * Tolerance(Storage), $"patchify {patch} {Storage}");
        Assert.That(() => Cuda.Patchify(gl, gb, gb, patch), Throws.ArgumentException.With.Message.Contains("patchify"));
    }

    [Test]
    public void UnpatchifyRestoresTheVideoLayout()
    {
        var patch = (T: 1 + Random.Next(2), H: 2, W: 1 + Random.Next(3));
        var grid = (F: 2, H: 3 + Random.Next(3), W: 5);
        int c = 3;
        var (ct, gt) = Pair(grid.F * grid.H * grid.W, patch.T * patch.H * patch.W * c);
        var y = Cuda.Unpatchify(gt, c, grid, patch);
        Assert.That(y.Shape, Is.EqualTo(new Shape(c, grid.F * patch.T, grid.H * patch.H, grid.W * patch.W)));
        Assert.That(Cuda.ToHost(y), Is.EqualTo(Cpu.ToHost(Cpu.Unpatchify(ct, c, grid, patch))));
        Assert.That(() => Cuda.Unpatchify(gt, c + 1, grid, patch), Throws.ArgumentException.With.Message.Contains("unpatchify"));
    }

    [Test]
    public void DeclaresEveryFamilyAndItsCapabilities() =>
        Assert.That(Cuda, Is.InstanceOf<IDitOps>().And.InstanceOf<ITextEncoderOps>().And.InstanceOf<IVaeOps>().And.InstanceOf<IStepCapture>().And.InstanceOf<INonFiniteCheck>(),
            "umT5 and the VAE are checked against their goldens on CUDA (CudaT5GoldenTests, CudaVaeGoldenTests), so their families are declared");

    [Test]
    public void TensorsOfAnotherBackendAndMismatchedShapesAreRefused()
    {
        using var x = Cuda.FromHost(new float[12], new Shape(3, 4));
        using var y = Cuda.FromHost(new float[12], new Shape(4, 3));
        var cpuTensor = Cpu.FromHost(new float[12], new Shape(3, 4));
        Assert.That(() => Cuda.Add(x, cpuTensor), Throws.ArgumentException.With.Message.Contains("does not belong"));
        Assert.That(() => Cuda.Add(x, y), Throws.ArgumentException.With.Message.Contains("differ"));
        Assert.That(() => Cuda.RmsNorm(x, y, 1e-6f), Throws.ArgumentException.With.Message.Contains("rms_norm weight"));
    }

    private (int Rows, int Cols) OddMatrix() => (37 + Random.Next(8), 203 + Random.Next(60));

    /// <summary>The same Storage-rounded random values on the CPU and on the CUDA backend.</summary>
    private (Tensor Cpu, Tensor Cuda) Pair(params int[] dims)
    {
        var shape = new Shape(dims);
        var values = Representable(Uniform(Random, shape.Size), Storage);
        return (Cpu.FromHost(values, shape), Cuda.FromHost(values, shape));
    }

    private void CompareUnary(Func<IBackend, Func<Tensor, Tensor>> op, string what)
    {
        var (rows, d) = OddMatrix();
        var (cx, gx) = Pair(rows, d);
        AssertClose(Cuda.ToHost(op(Cuda)(gx)), Cpu.ToHost(op(Cpu)(cx)), Tolerance(Storage), $"{what} {Storage}");
    }

    private void CompareBinary(Func<IBackend, Tensor, Tensor, Tensor> op, string what)
    {
        var (rows, d) = OddMatrix();
        var (ca, ga) = Pair(rows, d);
        var (cb, gb) = Pair(rows, d);
        AssertClose(Cuda.ToHost(op(Cuda, ga, gb)), Cpu.ToHost(op(Cpu, ca, cb)), Tolerance(Storage), $"{what} {Storage}");
    }
}
