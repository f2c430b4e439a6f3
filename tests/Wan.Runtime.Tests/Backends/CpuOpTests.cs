using Wan.Runtime.Backends;
using Wan.Runtime.Backends.Cpu;
using Wan.Runtime.Tensors;
using Wan.Testing;

namespace Wan.Runtime.Tests.Backends;

/// <summary>Every CPU backend op against a float64 loop on fresh random inputs with non-round sizes.</summary>
public class CpuOpTests
{
    private const double Tight = 2e-6;
    private CpuBackend _b = null!;
    private RandomData _r = null!;

    [SetUp]
    public void SetUp()
    {
        _b = new CpuBackend();
        _r = new RandomData();
    }

    [TearDown]
    public void TearDown() => _b.Dispose();

    private Tensor T(float[] data, params int[] shape) => _b.FromHost(data, new Shape(shape));

    [TestCase(1, 1, 1)]
    [TestCase(37, 53, 29)]
    [TestCase(130, 96, 257)]
    public void LinearMatchesLoop(int n, int k, int m)
    {
        var x = _r.Normal(n * k);
        var w = _r.Normal(m * k);
        var bias = _r.Normal(m);
        using var y = _b.Linear(T(x, n, k), T(w, m, k), T(bias, m));
        Assert.That(y.Shape, Is.EqualTo(new Shape(n, m)));
        Metrics.AssertClose(_b.ToHost(y), NaiveOps.Linear(x, w, bias, n, k, m), Tight, "linear");
        using var noBias = _b.Linear(T(x, n, k), T(w, m, k), null);
        Metrics.AssertClose(_b.ToHost(noBias), NaiveOps.Linear(x, w, null, n, k, m), Tight, "linear without bias");
    }

    [Test]
    public void LinearRejectsMismatchedWeight()
    {
        var ex = Assert.Throws<ArgumentException>(() => _b.Linear(T(_r.Normal(6), 2, 3), T(_r.Normal(8), 2, 4), null));
        Assert.That(ex!.Message, Does.Contain("[2, 4]").And.Contain("width 3"));
    }

    [TestCase(3, 77)]
    [TestCase(301, 96)]
    public void NormsMatchLoop(int rows, int d)
    {
        var x = _r.Normal(rows * d, 3f);
        var w = _r.Normal(d);
        var b = _r.Normal(d);
        var shift = _r.Normal(d);
        var scale = _r.Normal(d, 0.5f);
        using var rms = _b.RmsNorm(T(x, rows, d), T(w, d), 1e-6f);
        Metrics.AssertClose(_b.ToHost(rms), NaiveOps.RmsNorm(x, w, d, 1e-6), Tight, "rms_norm");
        using var ln = _b.LayerNorm(T(x, rows, d), null, null, 1e-6f);
        Metrics.AssertClose(_b.ToHost(ln), NaiveOps.LayerNorm(x, d, 1e-6), Tight, "layer_norm");
        using var lnAffine = _b.LayerNorm(T(x, rows, d), T(w, d), T(b, d), 1e-6f);
        Metrics.AssertClose(_b.ToHost(lnAffine), NaiveOps.LayerNorm(x, d, 1e-6, w, b), Tight, "layer_norm affine");
        using var mod = _b.ModulatedLayerNorm(T(x, rows, d), T(shift, d), T(scale, d), 1e-6f);
        Metrics.AssertClose(_b.ToHost(mod), NaiveOps.LayerNorm(x, d, 1e-6, shift: shift, scale: scale), Tight, "modulated layer_norm");
    }

    [Test]
    public void ElementwiseOpsMatchLoop()
    {
        int rows = 23, d = 1001; // > one parallel chunk
        var a = _r.Normal(rows * d, 3f);
        var c = _r.Normal(rows * d);
        var gate = _r.Normal(d);
        using var gelu = _b.GeluTanh(T(a, rows, d));
        Metrics.AssertClose(_b.ToHost(gelu), a.Select(NaiveOps.GeluTanh).ToArray(), Tight, "gelu_tanh");
        using var silu = _b.Silu(T(a, rows, d));
        Metrics.AssertClose(_b.ToHost(silu), a.Select(NaiveOps.Silu).ToArray(), Tight, "silu");
        using var sum = _b.Add(T(a, rows, d), T(c, rows, d));
        Metrics.AssertClose(_b.ToHost(sum), a.Zip(c, (x, y) => x + y).ToArray(), Tight, "add");
        using var prod = _b.Mul(T(a, rows, d), T(c, rows, d));
        Metrics.AssertClose(_b.ToHost(prod), a.Zip(c, (x, y) => x * y).ToArray(), Tight, "mul");

        using var residual = T(a, rows, d);
        _b.GatedAddInPlace(residual, T(c, rows, d), T(gate, d));
        var expected = a.Select((x, i) => x + gate[i % d] * c[i]).ToArray();
        Metrics.AssertClose(_b.ToHost(residual), expected, Tight, "gated add");
        using var plain = T(a, rows, d);
        _b.AddInPlace(plain, T(c, rows, d));
        Metrics.AssertClose(_b.ToHost(plain), a.Zip(c, (x, y) => x + y).ToArray(), Tight, "add_");
    }

    [TestCase(0.25)]
    [TestCase(937.0)]
    public void TimestepSinusoidIsCosThenSin(double t)
    {
        const int dim = 38;
        using var s = _b.TimestepSinusoid(t, dim);
        var expected = new float[dim];
        for (int j = 0; j < dim / 2; j++)
        {
            double w = Math.Pow(10000, -(double)j / (dim / 2));
            expected[j] = (float)Math.Cos(t * w);
            expected[dim / 2 + j] = (float)Math.Sin(t * w);
        }
        Metrics.AssertClose(_b.ToHost(s), expected, 1e-7, "sinusoid");
    }

    [TestCase(37, 37, 3, 32, true, false)]
    [TestCase(70, 70, 2, 16, true, true)]
    [TestCase(19, 133, 4, 8, false, true)]
    [TestCase(130, 61, 1, 24, false, false)]
    public void AttentionMatchesLoop(int lq, int lk, int heads, int dh, bool selfAttention, bool withBias)
    {
        int dim = heads * dh;
        var q = _r.Normal(lq * dim);
        var k = _r.Normal(lk * dim);
        var v = _r.Normal(lk * dim);
        var nq = _r.Normal(dim);
        var nk = _r.Normal(dim);
        int valid = Math.Max(1, lk - 5);
        float scale = 1f / MathF.Sqrt(dh);
        var bias = withBias ? _r.Normal(heads * lq * lk) : null;

        RopeTable? rope = null;
        var qRef = NaiveOps.RmsNorm(q, nq, dim, 1e-6);
        var kRef = NaiveOps.RmsNorm(k, nk, dim, 1e-6);
        if (selfAttention)
        {
            var cos = _r.Normal(lq * dh / 2);
            var sin = _r.Normal(lq * dh / 2);
            rope = new RopeTable(T(cos, lq, dh / 2), T(sin, lq, dh / 2));
            qRef = NaiveOps.Rope(qRef, cos, sin, lq, dim, dh);
            kRef = NaiveOps.Rope(kRef, cos, sin, lk, dim, dh);
        }
        var spec = new AttentionSpec(heads, scale, valid, T(nq, dim), T(nk, dim), 1e-6f, rope, bias is null ? null : T(bias, heads, lq, lk));
        using var o = _b.Attention(T(q, lq, dim), T(k, lk, dim), T(v, lk, dim), spec);
        Metrics.AssertClose(_b.ToHost(o), NaiveOps.Attention(qRef, kRef, v, lq, lk, dim, heads, scale, valid, bias), 1e-5, "attention");
    }

    [Test]
    public void AttentionIgnoresMaskedKeys()
    {
        int l = 9, dim = 8;
        var q = _r.Normal(l * dim);
        var k = _r.Normal(l * dim);
        var v = _r.Normal(l * dim);
        var spec = new AttentionSpec(2, 0.5f, 5);
        using var a = _b.Attention(T(q, l, dim), T(k, l, dim), T(v, l, dim), spec);
        for (int i = 5 * dim; i < l * dim; i++)
        {
            k[i] = float.NaN;
            v[i] = 1e9f;
        }
        using var b = _b.Attention(T(q, l, dim), T(k, l, dim), T(v, l, dim), spec);
        Assert.That(_b.ToHost(b), Is.EqualTo(_b.ToHost(a)));
    }

    [Test]
    public void RopeTableFollowsWanSplit()
    {
        // head_dim 32 -> 16 pairs split [6, 5, 5]; token (f=1, h=2, w=3) on a 2x3x4 grid.
        using var rope = RopeTable.Wan3D(_b, 32, (2, 3, 4));
        var cos = _b.ToHost(rope.Cos);
        int token = (1 * 3 + 2) * 4 + 3;
        Assert.Multiple(() =>
        {
            Assert.That(cos[token * 16 + 0], Is.EqualTo((float)Math.Cos(1.0)));
            Assert.That(cos[token * 16 + 1], Is.EqualTo((float)Math.Cos(1.0 * Math.Pow(10000, -1.0 / 6))));
            Assert.That(cos[token * 16 + 6], Is.EqualTo((float)Math.Cos(2.0)));
            Assert.That(cos[token * 16 + 12], Is.EqualTo((float)Math.Cos(3.0 * Math.Pow(10000, -1.0 / 5))));
        });
    }

    [Test]
    public void PatchifyMatchesConvolutionLoopAndUnpatchifyInverts()
    {
        int c = 5, f = 3, h = 6, w = 10, d = 7;
        var x = _r.Normal(c * f * h * w);
        var weight = _r.Normal(d * c * 1 * 2 * 2);
        var bias = _r.Normal(d);
        using var tokens = _b.Patchify(T(x, c, f, h, w), T(weight, d, c, 1, 2, 2), T(bias, d), (1, 2, 2));
        int gh = h / 2, gw = w / 2;
        var expected = new float[f * gh * gw * d];
        for (int tf = 0; tf < f; tf++)
        for (int th = 0; th < gh; th++)
        for (int tw = 0; tw < gw; tw++)
        for (int o = 0; o < d; o++)
        {
            double s = bias[o];
            for (int ch = 0; ch < c; ch++)
            for (int kh = 0; kh < 2; kh++)
            for (int kw = 0; kw < 2; kw++)
            {
                s += (double)weight[((o * c + ch) * 2 + kh) * 2 + kw] * x[((ch * f + tf) * h + 2 * th + kh) * w + 2 * tw + kw];
            }
            expected[((tf * gh + th) * gw + tw) * d + o] = (float)s;
        }
        Metrics.AssertClose(_b.ToHost(tokens), expected, Tight, "patchify");

        // Unpatchify: column (ph*2+pw)*C + c of token (f, h, w) lands at out[c, f, 2h+ph, 2w+pw].
        var head = _r.Normal(f * gh * gw * 4 * c);
        using var video = _b.Unpatchify(T(head, f * gh * gw, 4 * c), c, (f, gh, gw), (1, 2, 2));
        var v = _b.ToHost(video);
        Assert.That(video.Shape, Is.EqualTo(new Shape(c, f, h, w)));
        int tok = (2 * gh + 1) * gw + 3, ph = 1, pw = 0, ch2 = 4;
        Assert.That(v[((ch2 * f + 2) * h + 2 * 1 + ph) * w + 2 * 3 + pw], Is.EqualTo(head[tok * 4 * c + (ph * 2 + pw) * c + ch2]));
        Assert.That(v.OrderBy(a => a), Is.EqualTo(head.OrderBy(a => a)), "unpatchify is a permutation");
    }

    [Test]
    public void EmbeddingSliceAndReshape()
    {
        var table = _r.Normal(11 * 5);
        using var e = _b.Embedding(T(table, 11, 5), [3, 0, 10, 3]);
        var got = _b.ToHost(e);
        Assert.That(got.AsSpan(0, 5).ToArray(), Is.EqualTo(table.AsSpan(15, 5).ToArray()));
        Assert.That(got.AsSpan(10, 5).ToArray(), Is.EqualTo(table.AsSpan(50, 5).ToArray()));
        Assert.Throws<ArgumentOutOfRangeException>(() => _b.Embedding(T(table, 11, 5), [11]));

        using var rows = _b.SliceRows(T(table, 11, 5), 2, 3);
        Assert.That(_b.ToHost(rows), Is.EqualTo(table.AsSpan(10, 15).ToArray()));
        using var r = _b.Reshape(T(table, 11, 5), new Shape(5, 11));
        Assert.That(r.Shape, Is.EqualTo(new Shape(5, 11)));
        Assert.Throws<ArgumentException>(() => _b.Reshape(T(table, 11, 5), new Shape(6, 9)));
    }
}
