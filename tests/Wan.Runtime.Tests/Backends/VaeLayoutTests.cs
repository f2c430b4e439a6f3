using Wan.Runtime.Backends.Cpu;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Tests.Backends;

public class VaeLayoutTests
{
    private const int C = 5, F = 3, H = 7, W = 9;

    private static float[] Input(int seed, int c = C, int f = F, int h = H, int w = W) =>
        VaeOpReference.Random(new Random(seed), c * f * h * w);

    [Test]
    public void UpsampleRepeatsEveryPixelTwiceInBothDirections()
    {
        var x = Input(1);
        using var backend = new CpuBackend();
        using var xt = backend.FromHost(x, new Shape(C, F, H, W));

        using var y = backend.UpsampleNearest2x(xt);

        Assert.That(y.Shape, Is.EqualTo(new Shape(C, F, 2 * H, 2 * W)));
        var actual = backend.ToHost(y);
        for (int p = 0; p < C * F; p++)
        {
            for (int r = 0; r < 2 * H; r++)
            {
                for (int c = 0; c < 2 * W; c++)
                {
                    Assert.That(actual[(p * 2 * H + r) * 2 * W + c], Is.EqualTo(x[(p * H + r / 2) * W + c / 2]), $"plane {p} ({r}, {c})");
                }
            }
        }
    }

    [Test]
    public void ConcatThenSliceFramesRoundTrips()
    {
        var a = Input(2);
        var b = Input(3, f: 2);
        using var backend = new CpuBackend();
        using var at = backend.FromHost(a, new Shape(C, F, H, W));
        using var bt = backend.FromHost(b, new Shape(C, 2, H, W));

        using var joined = backend.ConcatFrames(at, bt);
        using var head = backend.SliceFrames(joined, 0, F);
        using var tail = backend.SliceFrames(joined, F, 2);
        using var middle = backend.SliceFrames(joined, 2, 2);

        Assert.That(joined.Shape, Is.EqualTo(new Shape(C, F + 2, H, W)));
        Assert.That(backend.ToHost(head), Is.EqualTo(a));
        Assert.That(backend.ToHost(tail), Is.EqualTo(b));
        var mid = backend.ToHost(middle);
        int frame = H * W;
        for (int ch = 0; ch < C; ch++)
        {
            Assert.That(mid.AsSpan(ch * 2 * frame, frame).ToArray(), Is.EqualTo(a.AsSpan((ch * F + 2) * frame, frame).ToArray()), $"channel {ch} frame 2");
            Assert.That(mid.AsSpan((ch * 2 + 1) * frame, frame).ToArray(), Is.EqualTo(b.AsSpan(ch * 2 * frame, frame).ToArray()), $"channel {ch} frame 3");
        }
    }

    [Test]
    public void SliceChannelsCopiesAContiguousChannelRange()
    {
        var x = Input(4);
        using var backend = new CpuBackend();
        using var xt = backend.FromHost(x, new Shape(C, F, H, W));

        using var y = backend.SliceChannels(xt, 1, 3);

        Assert.That(y.Shape, Is.EqualTo(new Shape(3, F, H, W)));
        Assert.That(backend.ToHost(y), Is.EqualTo(x.AsSpan(F * H * W, 3 * F * H * W).ToArray()));
    }

    [Test]
    public void InterleaveSendsChannelHalvesToEvenAndOddFrames()
    {
        var x = Input(5, c: 2 * C);
        using var backend = new CpuBackend();
        using var xt = backend.FromHost(x, new Shape(2 * C, F, H, W));

        using var y = backend.InterleaveChannelHalves(xt);

        Assert.That(y.Shape, Is.EqualTo(new Shape(C, 2 * F, H, W)));
        var actual = backend.ToHost(y);
        int frame = H * W;
        for (int ch = 0; ch < C; ch++)
        {
            for (int t = 0; t < 2 * F; t++)
            {
                int source = ((t % 2 * C + ch) * F + t / 2) * frame;
                Assert.That(actual.AsSpan((ch * 2 * F + t) * frame, frame).ToArray(), Is.EqualTo(x.AsSpan(source, frame).ToArray()), $"channel {ch} frame {t}");
            }
        }
    }

    [TestCase(5, 3, 7, 9)]
    [TestCase(37, 2, 11, 13)]
    public void PixelRowsAreTheTransposeAndRoundTrip(int c, int f, int h, int w)
    {
        var x = Input(6, c, f, h, w);
        int n = f * h * w;
        using var backend = new CpuBackend();
        using var xt = backend.FromHost(x, new Shape(c, f, h, w));

        using var rows = backend.PixelsToRows(xt);
        using var back = backend.RowsToPixels(rows, xt.Shape);

        Assert.That(rows.Shape, Is.EqualTo(new Shape(n, c)));
        var r = backend.ToHost(rows);
        for (int p = 0; p < n; p++)
        {
            for (int ch = 0; ch < c; ch++)
            {
                Assert.That(r[p * c + ch], Is.EqualTo(x[ch * n + p]), $"pixel {p} channel {ch}");
            }
        }
        Assert.That(backend.ToHost(back), Is.EqualTo(x));
    }

    [Test]
    public void LayoutOpsRejectBadShapesAndRanges()
    {
        using var backend = new CpuBackend();
        using var x = backend.FromHost(Input(7), new Shape(C, F, H, W));
        using var other = backend.FromHost(Input(8, h: H + 1), new Shape(C, F, H + 1, W));
        using var flat = backend.FromHost(new float[10], new Shape(2, 5));

        Assert.Throws<ArgumentException>(() => backend.ConcatFrames(x, other));
        Assert.Throws<ArgumentOutOfRangeException>(() => backend.SliceFrames(x, 2, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => backend.SliceChannels(x, 4, 2));
        Assert.Throws<ArgumentException>(() => backend.InterleaveChannelHalves(x));
        Assert.Throws<ArgumentException>(() => backend.UpsampleNearest2x(flat));
        Assert.Throws<ArgumentException>(() => backend.RowsToPixels(flat, x.Shape));
    }
}
