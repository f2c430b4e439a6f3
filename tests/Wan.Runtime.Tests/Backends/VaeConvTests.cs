using Wan.Runtime.Backends;
using Wan.Runtime.Backends.Cpu;
using Wan.Runtime.Tensors;
using Wan.Testing;

namespace Wan.Runtime.Tests.Backends;

public class VaeConvTests
{
    private const double Tolerance = 1e-5;

    [TestCase(5, 4, 7, 9, 6, 3, 3, 3, 1, 1, 1, 2, 1, 1, 1, 1, true, TestName = "Causal3x3x3")]
    [TestCase(5, 3, 6, 5, 7, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, false, TestName = "Causal3x3x3PartialHistoryNoBias")]
    [TestCase(6, 5, 3, 4, 6, 3, 1, 1, 2, 1, 1, 0, 0, 0, 0, 0, true, TestName = "TimeStride2NoPadding")]
    [TestCase(6, 3, 5, 7, 12, 3, 1, 1, 1, 1, 1, 2, 0, 0, 0, 0, true, TestName = "TimeConvFrameDoubling")]
    [TestCase(7, 2, 5, 3, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, true, TestName = "Pointwise")]
    [TestCase(3, 3, 9, 11, 4, 2, 3, 3, 1, 2, 3, 1, 0, 2, 1, 0, true, TestName = "StridedAsymmetricPadding")]
    public void Conv3dMatchesNaiveLoop(int cin, int f, int h, int w, int cout, int kt, int kh, int kw,
        int st, int sh, int sw, int padFront, int padTop, int padBottom, int padLeft, int padRight, bool withBias)
    {
        var rng = new Random(cin * 1000 + f * 100 + h * 10 + w);
        var x = VaeOpReference.Random(rng, cin * f * h * w);
        var weight = VaeOpReference.Random(rng, cout * cin * kt * kh * kw, 0.3f);
        var bias = withBias ? VaeOpReference.Random(rng, cout) : null;
        var expected = VaeOpReference.Conv3d(x, cin, f, h, w, weight, cout, (kt, kh, kw), bias, (st, sh, sw),
            padFront, padTop, padBottom, padLeft, padRight, out var o);
        using var backend = new CpuBackend();
        using var xt = backend.FromHost(x, new Shape(cin, f, h, w));
        using var wt = backend.FromHost(weight, new Shape(cout, cin, kt, kh, kw));
        using var bt = bias is null ? null : backend.FromHost(bias, new Shape(cout));

        using var y = backend.Conv3d(xt, wt, bt, new Conv3dSpec(st, sh, sw, padFront, padTop, padBottom, padLeft, padRight));

        Assert.That(y.Shape, Is.EqualTo(new Shape(cout, o.F, o.H, o.W)));
        Metrics.AssertClose(backend.ToHost(y), expected, Tolerance, "conv3d");
    }

    [Test]
    public void Conv3dSplitsLargeFramesIntoRowBandsCorrectly()
    {
        const int cin = 24, f = 2, h = 131, w = 101, cout = 3;
        Assert.That(cin * 27 * h * w, Is.GreaterThan(CpuBackend.ConvColumnBudget), "the im2col matrix of one frame must need more than one band");
        var rng = new Random(7);
        var x = VaeOpReference.Random(rng, cin * f * h * w);
        var weight = VaeOpReference.Random(rng, cout * cin * 27, 0.2f);
        var bias = VaeOpReference.Random(rng, cout);
        var expected = VaeOpReference.Conv3d(x, cin, f, h, w, weight, cout, (3, 3, 3), bias, (1, 1, 1), 2, 1, 1, 1, 1, out _);
        using var backend = new CpuBackend();
        using var xt = backend.FromHost(x, new Shape(cin, f, h, w));
        using var wt = backend.FromHost(weight, new Shape(cout, cin, 3, 3, 3));
        using var bt = backend.FromHost(bias, new Shape(cout));

        using var y = backend.Conv3d(xt, wt, bt, Conv3dSpec.Causal(2, 3, 3));

        Metrics.AssertClose(backend.ToHost(y), expected, Tolerance, "banded conv3d");
    }

    [TestCase(5, 3, 7, 9, 4, false, TestName = "Conv2dSame3x3")]
    [TestCase(6, 2, 9, 7, 6, true, TestName = "Conv2dDownsampleOddSize")]
    [TestCase(4, 3, 10, 12, 4, true, TestName = "Conv2dDownsampleEvenSize")]
    public void Conv2dFramesMatchesNaiveLoopPerFrame(int cin, int f, int h, int w, int cout, bool downsample)
    {
        var rng = new Random(cin + 10 * h + 100 * w);
        var x = VaeOpReference.Random(rng, cin * f * h * w);
        var weight = VaeOpReference.Random(rng, cout * cin * 9, 0.3f);
        var bias = VaeOpReference.Random(rng, cout);
        var spec = downsample ? Conv2dSpec.DownsampleRightBottom : Conv2dSpec.Same(1);
        // A per-frame 2-D conv is a 3-D conv with a kernel one frame deep.
        var expected = VaeOpReference.Conv3d(x, cin, f, h, w, weight, cout, (1, 3, 3), bias, (1, spec.StrideH, spec.StrideW),
            0, spec.PadTop, spec.PadBottom, spec.PadLeft, spec.PadRight, out var o);
        using var backend = new CpuBackend();
        using var xt = backend.FromHost(x, new Shape(cin, f, h, w));
        using var wt = backend.FromHost(weight, new Shape(cout, cin, 3, 3));
        using var bt = backend.FromHost(bias, new Shape(cout));

        using var y = backend.Conv2dFrames(xt, wt, bt, spec);

        Assert.That(y.Shape, Is.EqualTo(new Shape(cout, f, o.H, o.W)));
        if (downsample)
        {
            Assert.That((o.H, o.W), Is.EqualTo((h / 2, w / 2)), "ZeroPad2d(0,1,0,1) + stride 2 halves the frame (rounding down)");
        }
        Metrics.AssertClose(backend.ToHost(y), expected, Tolerance, "conv2d per frame");
    }

    [Test]
    public void ConvRejectsMismatchedChannelsAndTooSmallInputs()
    {
        using var backend = new CpuBackend();
        using var x = backend.FromHost(new float[3 * 2 * 4 * 4], new Shape(3, 2, 4, 4));
        using var w4 = backend.FromHost(new float[2 * 4 * 27], new Shape(2, 4, 3, 3, 3));
        using var w3 = backend.FromHost(new float[2 * 3 * 27], new Shape(2, 3, 3, 3, 3));
        using var w2d = backend.FromHost(new float[2 * 3 * 9], new Shape(2, 3, 3, 3));

        var channels = Assert.Throws<ArgumentException>(() => backend.Conv3d(x, w4, null, Conv3dSpec.Causal(2, 3, 3)));
        Assert.That(channels!.Message, Does.Contain("input channels"));
        var small = Assert.Throws<ArgumentException>(() => backend.Conv3d(x, w3, null, Conv3dSpec.Causal(0, 3, 3)));
        Assert.That(small!.Message, Does.Contain("smaller than the kernel"));
        Assert.Throws<ArgumentException>(() => backend.Conv3d(x, w2d, null, Conv3dSpec.Causal(2, 3, 3)));
        Assert.Throws<ArgumentException>(() => backend.Conv2dFrames(x, w3, null, Conv2dSpec.Same(1)));
        Assert.Throws<ArgumentException>(() => backend.Conv3d(x, w3, null, new Conv3dSpec(0, 1, 1, 2, 1, 1, 1, 1)));
    }
}
