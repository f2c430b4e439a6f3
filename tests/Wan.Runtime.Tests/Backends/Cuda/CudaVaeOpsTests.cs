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
        var (cx, gx) = Pair(new Shape(cin, f, h, w));
        var (cw, gw) = Pair(new Shape(cout, cin, kernel.T, kernel.H, kernel.W), 0.5f);
        var (cb, gb) = Pair(new Shape(cout));
        using (cx)
        using (gx)
        using (cw)
        using (gw)
        using (cb)
        using (gb)
        {
            using var expected = Cpu.Conv3d(cx, cw, withBias ? cb : null, spec);
            using var actual = Cuda.Conv3d(gx, gw, withBias ? gb : null, spec);
            Assert.That(actual.Shape, Is.EqualTo(expected.Shape));
            AssertClose(Cuda.ToHost(actual), Cpu.ToHost(expected), ConvTolerance, $"conv3d {kernel} {spec} {Storage}");
        }
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
        var (cx, gx) = Pair(new Shape(cin, f, h, w));
        var (cw, gw) = Pair(new Shape(cout, cin, k, k), 0.5f);
        var (cb, gb) = Pair(new Shape(cout));
        using (cx)
        using (gx)
        using (cw)
        using (gw)
        using (cb)
        using (gb)
        {
            using var expected = Cpu.Conv2dFrames(cx, cw, cb, spec);
            using var actual = Cuda.Conv2dFrames(gx, gw, gb, spec);
            Assert.That(actual.Shape, Is.EqualTo(expected.Shape));
            AssertClose(Cuda.ToHost(actual), Cpu.ToHost(expected), ConvTolerance, $"conv2d {k}x{k} {spec} {Storage}");
        }
    }

    [Test]
    public void ATightColumnBudgetRunsInBandsWithTheSameResult()
    {
        int cin = 3, cout = 4, f = 3, h = 7, w = 11;
        var (_, gx) = Pair(new Shape(cin, f, h, w));
        var (_, gw) = Pair(new Shape(cout, cin, 3, 3, 3), 0.5f);
        var (_, gb) = Pair(new Shape(cout));
        var spec = Conv3dSpec.Causal(2, 3, 3);
        using var counting = new CountingDevice(Emulator);
        using var banded = new CudaBackend(counting, Storage);
        using var x = banded.FromHost(Cuda.ToHost(gx), gx.Shape);
        using var weight = banded.FromHost(Cuda.ToHost(gw), gw.Shape);
        using var bias = banded.FromHost(Cuda.ToHost(gb), gb.Shape);
        using (gx)
        using (gw)
        using (gb)
        {
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
    }

    [TestCase(false)]
    [TestCase(true)]
    public void ChannelRmsNormMatchesTheCpu(bool silu)
    {
        var shape = new Shape(13 + Random.Next(8), 2, 5 + Random.Next(3), 7 + Random.Next(3));
        var (cx, gx) = Pair(shape);
        var (cg, gg) = Pair(new Shape(shape[0], 1, 1));
        using (cx)
        using (gx)
        using (cg)
        using (gg)
        {
            using var expected = Cpu.ChannelRmsNorm(cx, cg, silu);
            using var actual = Cuda.ChannelRmsNorm(gx, gg, silu);
            AssertClose(Cuda.ToHost(actual), Cpu.ToHost(expected), Tolerance(Storage), $"channel rms_norm silu={silu} {Storage}");
        }
    }

    [Test]
    public void ChannelAffineMatchesTheCpu()
    {
        var shape = new Shape(5 + Random.Next(12), 3, 5, 6 + Random.Next(5));
        var (cx, gx) = Pair(shape);
        var (ca, ga) = Pair(new Shape(shape[0]));
        var (cb, gb) = Pair(new Shape(shape[0]));
        using (cx)
        using (gx)
        using (ca)
        using (ga)
        using (cb)
        using (gb)
        {
            using var expected = Cpu.ChannelAffine(cx, ca, cb);
            using var actual = Cuda.ChannelAffine(gx, ga, gb);
            AssertClose(Cuda.ToHost(actual), Cpu.ToHost(expected), Tolerance(Storage), $"channel affine {Storage}");
        }
    }

    [Test]
    public void LayoutOpsEqualTheCpuBitForBit()
    {
        int c = 3 + Random.Next(5), f = 2 + Random.Next(3), h = 3 + Random.Next(4), w = 5 + Random.Next(4);
        var (cx, gx) = Pair(new Shape(2 * c, f, h, w));
        var (cy, gy) = Pair(new Shape(2 * c, f + 1, h, w));
        using (cx)
        using (gx)
        using (cy)
        using (gy)
        {
            var cases = new (string Name, Func<IVaeOps, Tensor, Tensor, Tensor> Op)[]
            {
                ("upsample nearest 2x", (b, x, _) => b.UpsampleNearest2x(x)),
                ("concat frames", (b, x, y) => b.ConcatFrames(x, y)),
                ("slice frames", (b, _, y) => b.SliceFrames(y, 1, f - 1)),
                ("slice channels", (b, x, _) => b.SliceChannels(x, 1, c)),
                ("interleave channel halves", (b, x, _) => b.InterleaveChannelHalves(x)),
                ("pixels to rows", (b, x, _) => b.PixelsToRows(x)),
                ("rows to pixels", (b, _, y) => b.Reshape(y, new Shape((f + 1) * h * w, 2 * c)).Then(r => b.RowsToPixels(r, new Shape(2 * c, f + 1, h, w)))),
            };
            foreach (var (name, op) in cases)
            {
                using var expected = op(Cpu, cx, cy);
                using var actual = op(Cuda, gx, gy);
                Assert.That(actual.Shape, Is.EqualTo(expected.Shape), name);
                Assert.That(Cuda.ToHost(actual), Is.EqualTo(Cpu.ToHost(expected)), name);
            }
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
        var (cq, gq) = Pair(new Shape(lq, width), 1f);
        var (ck, gk) = Pair(new Shape(lk, width), 1f);
        var (cv, gv) = Pair(new Shape(lk, width));
        using var counting = new CountingDevice(Emulator);
        using var backend = new CudaBackend(counting, Storage);
        if (tightBudget)
        {
            backend.ConvColumnBytes = (long)(lq / 3 + 1) * lk * (4 + Storage.SizeOf());
        }
        using (cq)
        using (gq)
        using (ck)
        using (gk)
        using (cv)
        using (gv)
        {
            using var q = backend.FromHost(Cuda.ToHost(gq), gq.Shape);
            using var k = backend.FromHost(Cuda.ToHost(gk), gk.Shape);
            using var v = backend.FromHost(Cuda.ToHost(gv), gv.Shape);
            float scale = 1f / MathF.Sqrt(width);
            counting.Reset();
            using var actual = backend.SingleHeadAttention(q, k, v, scale);
            bool fused = backend.SupportsAttention(width);
            Assert.That(counting.Gemms, Is.EqualTo(fused ? 0 : tightBudget ? 6 : 2), fused ? "the fused kernel" : "two GEMMs per band of query rows");
            using var expected = Cpu.SingleHeadAttention(cq, ck, cv, scale);
            AssertClose(backend.ToHost(actual), Cpu.ToHost(expected), ConvTolerance, $"single-head attention width {width} ({(fused ? "fused" : "GEMM path")}) {Storage}");
        }
    }

    [Test]
    public void CropAndBlendTilesMatchTheCpu()
    {
        int c = 3, f = 2, h = 9 + Random.Next(4), w = 11 + Random.Next(4);
        var (cx, gx) = Pair(new Shape(c, f, h, w));
        using (cx)
        using (gx)
        {
            using var cpuCrop = Cpu.CropFrames(cx, 2, 3, h - 4, w - 5);
            using var cudaCrop = Cuda.CropFrames(gx, 2, 3, h - 4, w - 5);
            Assert.That(Cuda.ToHost(cudaCrop), Is.EqualTo(Cpu.ToHost(cpuCrop)), "crop frames: a bit copy");

            // Two tiles overlapping by 4 columns with complementary ramps, and a third, weighted, in a corner.
            var (ca, ga) = Pair(new Shape(c, f, h, 8));
            var (cb, gb) = Pair(new Shape(c, f, h, w - 4));
            var (cc, gc) = Pair(new Shape(c, f, 3, 2));
            var rows = Enumerable.Repeat(1f, h).ToArray();
            float[] rampDown = [.. Enumerable.Range(0, 8).Select(k => k < 4 ? 1f : 1f - (k - 4 + 0.5f) / 4)];
            float[] rampUp = [.. Enumerable.Range(0, w - 4).Select(k => k < 4 ? (k + 0.5f) / 4 : 1f)];
            using (ca)
            using (ga)
            using (cb)
            using (gb)
            using (cc)
            using (gc)
            {
                using var expected = Cpu.BlendTiles([new(ca, 0, 0, rows, rampDown), new(cb, 0, 4, rows, rampUp), new(cc, 1, 1, [0.5f, 0.25f, 1f], [2f, 0.75f])], h, w);
                using var actual = Cuda.BlendTiles([new(ga, 0, 0, rows, rampDown), new(gb, 0, 4, rows, rampUp), new(gc, 1, 1, [0.5f, 0.25f, 1f], [2f, 0.75f])], h, w);
                // One rounding per accumulated tile: up to three on a pixel.
                AssertClose(Cuda.ToHost(actual), Cpu.ToHost(expected), 2 * Tolerance(Storage), $"blend tiles {Storage}");
                Assert.That(() => Cuda.BlendTiles([new(ga, 0, w - 7, rows, rampDown)], h, w),
                    Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("leaves the"));
            }
        }
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

    /// <summary>The same random values (representable in the Storage type) on the CPU and the CUDA backend.</summary>
    private (Tensor Cpu, Tensor Cuda) Pair(Shape shape, float range = 2f)
    {
        var values = Representable(Uniform(Random, checked((int)shape.ElementCount), -range, range), Storage);
        return (Cpu.FromHost(values, shape), Cuda.FromHost(values, shape));
    }
}
