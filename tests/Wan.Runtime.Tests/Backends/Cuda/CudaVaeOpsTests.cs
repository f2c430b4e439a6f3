using Wan.Kernels.Device;
using Wan.Runtime.Backends;
using Wan.Runtime.Backends.Cpu;
using Wan.Runtime.Backends.Cuda;
using Wan.Runtime.Models.Vae;
using Wan.Runtime.Tensors;
using Wan.Testing;
using static Wan.Testing.EmulatedTesting;
using static Wan.Testing.Metrics;

namespace Wan.Runtime.Tests.Backends.Cuda;

/// <summary>
/// The VAE op family of the CUDA backend (kernels/cuda/vae_*.cu + cuBLAS GEMMs) on the emulated device,
/// per storage dtype, against the CPU backend on fresh random inputs of odd sizes: convolutions and norms
/// within one rounding of the storage type, layout ops bit for bit; the im2col bands of a tight column
/// budget (one GEMM each) give the result of one band; bad shapes are refused naming the op.
/// </summary>
public sealed class CudaVaeOpsTests(DType storage) : EmulatedBackendFixture(storage)
{
    /// <summary>One rounding of a sum of K products: fp32 reorders the sum (cuBLAS vs OpenBLAS blocking), so it gets a little more than one rounding.</summary>
    private double ConvTolerance => Storage == DType.F32 ? 1e-5 : Tolerance(Storage);

    public static IEnumerable<TestCaseData> Conv3dCases()
    {
        yield return new TestCaseData((3, 3, 3), Conv3dSpec.Causal(2, 3, 3), true).SetName("Conv3d(causal 3x3x3, 2 zero frames)");
        yield return new TestCaseData((3, 3, 3), Conv3dSpec.Causal(0, 3, 3), true).SetName("Conv3d(3x3x3 on cached frames)");
        yield return new TestCaseData((3, 1, 1), new Conv3dSpec(2, 1, 1, 0, 0, 0, 0, 0), true).SetName("Conv3d(3x1x1 time stride 2: downsampler)");
        yield return new TestCaseData((3, 1, 1), Conv3dSpec.Causal(2, 1, 1), false).SetName("Conv3d(3x1x1 causal, no bias: upsampler)");
        yield return new TestCaseData((1, 1, 1), Conv3dSpec.Causal(0, 1, 1), true).SetName("Conv3d(1x1x1: one GEMM)");
    }

    [TestCaseSource(nameof(Conv3dCases))]
    public void Conv3dMatchesTheCpu((int T, int H, int W) kernel, Conv3dSpec spec, bool withBias)
    {
        int cin = 3 + Random.Next(4), cout = 5 + Random.Next(4), f = 3 + Random.Next(3), h = 5 + Random.Next(4), w = 7 + Random.Next(5);
        AssertMatchesTheCpu($"conv3d {kernel} {spec} {Storage}", ConvTolerance, (b, t) => b.Conv3d(t[0], t[1], withBias ? t[2] : null, spec),
            (new Shape(cin, f, h, w), 2f), (new Shape(cout, cin, kernel.T, kernel.H, kernel.W), 0.5f), (new Shape(cout), 2f));
    }

    public static IEnumerable<TestCaseData> Conv2dCases()
    {
        yield return new TestCaseData(3, Conv2dSpec.Same(1)).SetName("Conv2dFrames(3x3 same)");
        yield return new TestCaseData(3, Conv2dSpec.DownsampleRightBottom).SetName("Conv2dFrames(3x3 stride 2, pad right/bottom)");
        yield return new TestCaseData(1, Conv2dSpec.Same(0)).SetName("Conv2dFrames(1x1)");
    }

    [TestCaseSource(nameof(Conv2dCases))]
    public void Conv2dFramesMatchesTheCpu(int k, Conv2dSpec spec)
    {
        int cin = 4 + Random.Next(3), cout = 3 + Random.Next(5), f = 2 + Random.Next(2), h = 6 + Random.Next(5), w = 9 + Random.Next(4);
        AssertMatchesTheCpu($"conv2d {k}x{k} {spec} {Storage}", ConvTolerance, (b, t) => b.Conv2dFrames(t[0], t[1], t[2], spec),
            (new Shape(cin, f, h, w), 2f), (new Shape(cout, cin, k, k), 0.5f), (new Shape(cout), 2f));
    }

    [Test]
    public void ATightColumnBudgetRunsInBandsWithTheSameResult()
    {
        int cin = 3, cout = 4, f = 3, h = 7, w = 11;
        var spec = Conv3dSpec.Causal(2, 3, 3);
        using var counting = new CountingDevice(Emulator);
        using var banded = new CudaBackend(counting, Storage);
        using var x = banded.FromHost(Values(new Shape(cin, f, h, w)), new Shape(cin, f, h, w));
        using var weight = banded.FromHost(Values(new Shape(cout, cin, 3, 3, 3), 0.5f), new Shape(cout, cin, 3, 3, 3));
        using var bias = banded.FromHost(Values(new Shape(cout)), new Shape(cout));
        using var whole = banded.Conv3d(x, weight, bias, spec);
        // Output rows are f·h = 21 of w = 11 pixels, K = 81: 4 rows per band → 6 bands (the last one short).
        banded.ConvColumnBytes = 81L * 11 * 4 * Storage.SizeOf() + 1;
        counting.Reset();
        using var bands = banded.Conv3d(x, weight, bias, spec);
        Assert.Multiple(() =>
        {
            Assert.That(counting.Gemms, Is.EqualTo(6), "one GEMM per band of 4 output rows");
            Assert.That(counting.LaunchesByKernel.Where(kv => kv.Key.StartsWith("vae_im2col", StringComparison.Ordinal)).Sum(kv => kv.Value), Is.EqualTo(6));
        });
        // Each output is one dot product over K in every band; the GEMM library may still block K differently for another N.
        AssertClose(banded.ToHost(bands), banded.ToHost(whole), ConvTolerance, $"banded conv3d {Storage}");
        Assert.That(() => banded.ConvColumnBytes = 0, Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    [TestCase(false)]
    [TestCase(true)]
    public void ChannelRmsNormMatchesTheCpu(bool silu)
    {
        var shape = new Shape(13 + Random.Next(8), 2, 5 + Random.Next(3), 7 + Random.Next(3));
        AssertMatchesTheCpu($"channel rms_norm silu={silu} {Storage}", Tolerance(Storage), (b, t) => b.ChannelRmsNorm(t[0], t[1], silu),
            (shape, 2f), (new Shape(shape[0], 1, 1), 2f));
    }

    [Test]
    public void ChannelAffineMatchesTheCpu()
    {
        var shape = new Shape(5 + Random.Next(12), 3, 5, 6 + Random.Next(5));
        AssertMatchesTheCpu($"channel affine {Storage}", Tolerance(Storage), (b, t) => b.ChannelAffine(t[0], t[1], t[2]),
            (shape, 2f), (new Shape(shape[0]), 2f), (new Shape(shape[0]), 2f));
    }

    [Test]
    public void LayoutOpsEqualTheCpuBitForBit()
    {
        int c = 3 + Random.Next(5), f = 2 + Random.Next(3), h = 3 + Random.Next(4), w = 5 + Random.Next(4);
        var x = (new Shape(2 * c, f, h, w), 2f);
        var y = (new Shape(2 * c, f + 1, h, w), 2f);
        var cases = new (string Name, Func<IVaeOps, Tensor[], Tensor> Op)[]
        {
            ("upsample nearest 2x", (b, t) => b.UpsampleNearest2x(t[0])),
            ("concat frames", (b, t) => b.ConcatFrames(t[0], t[1])),
            ("slice frames", (b, t) => b.SliceFrames(t[1], 1, f - 1)),
            ("slice channels", (b, t) => b.SliceChannels(t[0], 1, c)),
            ("interleave channel halves", (b, t) => b.InterleaveChannelHalves(t[0])),
            ("pixels to rows", (b, t) => b.PixelsToRows(t[0])),
            ("rows to pixels", (b, t) => b.Reshape(t[1], new Shape((f + 1) * h * w, 2 * c)).Then(r => b.RowsToPixels(r, new Shape(2 * c, f + 1, h, w)))),
        };
        foreach (var (name, op) in cases)
        {
            AssertMatchesTheCpu(name, null, op, x, y);
        }
    }

    /// <summary>
    /// Widths without a fused kernel (fp32 above 256, 16-bit not a multiple of 16: the GEMM path, here in
    /// three bands of query rows under a tight budget) and one with (the fused kernel) against the CPU.
    /// </summary>
    [TestCase(264, true)]
    [TestCase(40, false)]
    public void SingleHeadAttentionMatchesTheCpuAtAnyWidth(int width, bool tightBudget)
    {
        int lq = 23 + Random.Next(9), lk = 17 + Random.Next(9);
        using var counting = new CountingDevice(Emulator);
        using var backend = new CudaBackend(counting, Storage);
        if (tightBudget)
        {
            backend.ConvColumnBytes = (long)(lq / 3 + 1) * lk * (4 + Storage.SizeOf());
        }
        float scale = 1f / MathF.Sqrt(width);
        bool fused = backend.SupportsAttention(width);
        AssertMatchesTheCpu(backend, $"single-head attention width {width} ({(fused ? "fused" : "GEMM path")}) {Storage}", ConvTolerance,
            (b, t) => b.SingleHeadAttention(t[0], t[1], t[2], scale), (new Shape(lq, width), 1f), (new Shape(lk, width), 1f), (new Shape(lk, width), 2f));
        Assert.That(counting.Gemms, Is.EqualTo(fused ? 0 : tightBudget ? 6 : 2), fused ? "the fused kernel" : "two GEMMs per band of query rows");
    }

    [Test]
    public void CropAndBlendTilesMatchTheCpu()
    {
        int c = 3, f = 2, h = 9 + Random.Next(4), w = 11 + Random.Next(4);
        AssertMatchesTheCpu("crop frames: a bit copy", null, (b, t) => b.CropFrames(t[0], 2, 3, h - 4, w - 5), (new Shape(c, f, h, w), 2f));

        // Two tiles overlapping by 4 columns with complementary ramps, and a third, weighted, in a corner.
        var rows = Enumerable.Repeat(1f, h).ToArray();
        float[] rampDown = [.. Enumerable.Range(0, 8).Select(k => k < 4 ? 1f : 1f - (k - 4 + 0.5f) / 4)];
        float[] rampUp = [.. Enumerable.Range(0, w - 4).Select(k => k < 4 ? (k + 0.5f) / 4 : 1f)];
        // One rounding per accumulated tile: up to three on a pixel.
        AssertMatchesTheCpu($"blend tiles {Storage}", 2 * Tolerance(Storage),
            (b, t) => b.BlendTiles([new(t[0], 0, 0, rows, rampDown), new(t[1], 0, 4, rows, rampUp), new(t[2], 1, 1, [0.5f, 0.25f, 1f], [2f, 0.75f])], h, w),
            (new Shape(c, f, h, 8), 2f), (new Shape(c, f, h, w - 4), 2f), (new Shape(c, f, 3, 2), 2f));
        using var tile = Cuda.FromHost(Values(new Shape(c, f, h, 8)), new Shape(c, f, h, 8));
        Assert.That(() => Cuda.BlendTiles([new(tile, 0, w - 7, rows, rampDown)], h, w),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("leaves the"));
    }

    [Test]
    public void BadShapesAreRefusedNamingTheOp()
    {
        using var x = Cuda.FromHost(Uniform(Random, 3 * 2 * 4 * 4), new Shape(3, 2, 4, 4));
        using var weight = Cuda.FromHost(Uniform(Random, 5 * 4 * 27), new Shape(5, 4, 3, 3, 3));
        using var wide = Cuda.FromHost(Uniform(Random, 5 * 3 * 9 * 9), new Shape(5, 3, 1, 9, 9));
        Assert.Multiple(() =>
        {
            Assert.That(() => Cuda.Conv3d(x, weight, null, Conv3dSpec.Causal(2, 3, 3)),
                Throws.ArgumentException.With.Message.Contains("conv3d").And.Message.Contains("4 input channels"));
            Assert.That(() => Cuda.Conv3d(x, wide, null, Conv3dSpec.Causal(0, 1, 1)),
                Throws.ArgumentException.With.Message.Contains("smaller than the kernel"));
            Assert.That(() => Cuda.SliceFrames(x, 1, 2), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("outside the 2 frames"));
            Assert.That(() => Cuda.SliceChannels(x, 2, 2), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("outside the 3 channels"));
            Assert.That(() => Cuda.InterleaveChannelHalves(x), Throws.ArgumentException.With.Message.Contains("odd channel count"));
            Assert.That(() => Cuda.ChannelRmsNorm(x, x, silu: true), Throws.ArgumentException.With.Message.Contains("gamma"));
        });
    }

    /// <inheritdoc cref="AssertMatchesTheCpu(CudaBackend, string, double?, Func{IVaeOps, Tensor[], Tensor}, ValueTuple{Shape, float}[])"/>
    private void AssertMatchesTheCpu(string what, double? tolerance, Func<IVaeOps, Tensor[], Tensor> op, params (Shape Shape, float Range)[] inputs) =>
        AssertMatchesTheCpu(Cuda, what, tolerance, op, inputs);

    /// <summary>
    /// <paramref name="op"/> on the CPU and on <paramref name="cuda"/> over the same fresh random inputs (uniform in ±Range,
    /// representable in the Storage type): the same output shape, and values within <paramref name="tolerance"/> relative L2,
    /// or bit for bit when it is null.
    /// </summary>
    private void AssertMatchesTheCpu(CudaBackend cuda, string what, double? tolerance, Func<IVaeOps, Tensor[], Tensor> op, params (Shape Shape, float Range)[] inputs)
    {
        var values = inputs.Select(i => Values(i.Shape, i.Range)).ToArray();
        var onCpu = inputs.Select((i, n) => Cpu.FromHost(values[n], i.Shape)).ToArray();
        var onCuda = inputs.Select((i, n) => cuda.FromHost(values[n], i.Shape)).ToArray();
        try
        {
            using var expected = op(Cpu, onCpu);
            using var actual = op(cuda, onCuda);
            Assert.That(actual.Shape, Is.EqualTo(expected.Shape), what);
            if (tolerance is { } bound)
            {
                AssertClose(cuda.ToHost(actual), Cpu.ToHost(expected), bound, what);
            }
            else
            {
                Assert.That(cuda.ToHost(actual), Is.EqualTo(Cpu.ToHost(expected)), what);
            }
        }
        finally
        {
            foreach (var t in onCpu.Concat(onCuda))
            {
                t.Dispose();
            }
        }
    }

    /// <summary>Random values of <paramref name="shape"/>, uniform in ±<paramref name="range"/> and representable in the Storage type.</summary>
    private float[] Values(Shape shape, float range = 2f) =>
        Representable(Uniform(Random, checked((int)shape.ElementCount), -range, range), Storage);
}
