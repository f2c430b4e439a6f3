using Wan.Runtime.Backends.Cpu;
using Wan.Runtime.Tensors;
using Wan.Testing;

namespace Wan.Runtime.Tests.Backends;

public class VaeNormTests
{
    [TestCase(7, 3, 5, 9, false)]
    [TestCase(13, 2, 11, 7, true)]
    [TestCase(3, 1, 2, 1, true)]
    [TestCase(3, 2, 97, 101, true)]
    public void ChannelRmsNormMatchesNaiveLoop(int c, int f, int h, int w, bool silu)
    {
        var rng = new Random(c * 31 + h);
        int n = f * h * w;
        var x = VaeOpReference.Random(rng, c * n, 3f);
        // One all-zero position exercises the 1e-12 floor of F.normalize (output 0, not NaN).
        for (int ch = 0; ch < c; ch++)
        {
            x[ch * n] = 0f;
        }
        var gamma = VaeOpReference.Random(rng, c);
        var expected = new float[c * n];
        for (int p = 0; p < n; p++)
        {
            double sq = 0;
            for (int ch = 0; ch < c; ch++)
            {
                sq += (double)x[ch * n + p] * x[ch * n + p];
            }
            double factor = Math.Sqrt(c) / Math.Max(Math.Sqrt(sq), 1e-12);
            for (int ch = 0; ch < c; ch++)
            {
                double v = x[ch * n + p] * factor * gamma[ch];
                expected[ch * n + p] = (float)(silu ? v / (1 + Math.Exp(-v)) : v);
            }
        }
        using var backend = new CpuBackend();
        using var xt = backend.FromHost(x, new Shape(c, f, h, w));
        using var g = backend.FromHost(gamma, new Shape(c, 1, 1, 1));

        using var y = backend.ChannelRmsNorm(xt, g, silu);

        var actual = backend.ToHost(y);
        Assert.That(y.Shape, Is.EqualTo(xt.Shape));
        Assert.That(actual[0], Is.Zero, "all-zero position");
        Metrics.AssertClose(actual, expected, 1e-6, $"channel rms norm (silu {silu})");
    }

    [Test]
    public void ChannelAffineScalesAndShiftsEveryChannel()
    {
        const int c = 5, n = 3 * 7 * 2;
        var rng = new Random(3);
        var x = VaeOpReference.Random(rng, c * n);
        var scale = VaeOpReference.Random(rng, c);
        var shift = VaeOpReference.Random(rng, c);
        var expected = new float[c * n];
        for (int i = 0; i < expected.Length; i++)
        {
            expected[i] = (float)((double)x[i] * scale[i / n] + shift[i / n]);
        }
        using var backend = new CpuBackend();
        using var xt = backend.FromHost(x, new Shape(c, 3, 7, 2));
        using var s = backend.FromHost(scale, new Shape(c));
        using var b = backend.FromHost(shift, new Shape(c));

        using var y = backend.ChannelAffine(xt, s, b);

        Metrics.AssertClose(backend.ToHost(y), expected, 1e-6, "channel affine");
    }

    [Test]
    public void ChannelOpsRejectWrongParameterLengths()
    {
        using var backend = new CpuBackend();
        using var x = backend.FromHost(new float[4 * 6], new Shape(4, 1, 2, 3));
        using var three = backend.FromHost(new float[3], new Shape(3));
        using var four = backend.FromHost(new float[4], new Shape(4));

        var e = Assert.Throws<ArgumentException>(() => backend.ChannelRmsNorm(x, three, silu: false));
        Assert.That(e!.Message, Does.Contain("gamma"));
        Assert.Throws<ArgumentException>(() => backend.ChannelAffine(x, four, three));
    }
}
