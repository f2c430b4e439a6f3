using Wan.Runtime.Backends.Cpu;
using Wan.Kernels.Numerics;
using Wan.Runtime.Tensors;
using Wan.Testing;

namespace Wan.Runtime.Tests.Lora;

/// <summary>
/// <see cref="Wan.Runtime.Backends.IDitOps.LowRankLinear"/> on the CPU against a float64 loop on random
/// non-round sizes, including a mapped BF16 base weight, and its operand checks.
/// </summary>
public sealed class LowRankLinearTests
{
    private const double Tight = 2e-6;

    /// <summary>y = x·Wᵀ + (x·downᵀ)·upᵀ + b in float64.</summary>
    private static float[] Reference(float[] x, float[] w, float[]? b, float[] down, float[] up, int n, int k, int m, int r)
    {
        var y = new float[n * m];
        for (int i = 0; i < n; i++)
        {
            var t = new double[r];
            for (int j = 0; j < r; j++)
            {
                for (int c = 0; c < k; c++)
                {
                    t[j] += (double)x[i * k + c] * down[j * k + c];
                }
            }
            for (int o = 0; o < m; o++)
            {
                double s = b?[o] ?? 0;
                for (int c = 0; c < k; c++)
                {
                    s += (double)x[i * k + c] * w[o * k + c];
                }
                for (int j = 0; j < r; j++)
                {
                    s += t[j] * up[o * r + j];
                }
                y[i * m + o] = (float)s;
            }
        }
        return y;
    }

    [TestCase(1, 1, 1, 1)]
    [TestCase(37, 53, 29, 3)]
    [TestCase(130, 96, 257, 12)]
    public void MatchesLoop(int n, int k, int m, int r)
    {
        var random = new RandomData();
        using var b = new CpuBackend();
        var (x, w, bias, down, up) = (random.Normal(n * k), random.Normal(m * k), random.Normal(m), random.Normal(r * k), random.Normal(m * r));
        using var y = b.LowRankLinear(b.FromHost(x, new Shape(n, k)), b.FromHost(w, new Shape(m, k)), b.FromHost(bias, new Shape(m)),
            b.FromHost(down, new Shape(r, k)), b.FromHost(up, new Shape(m, r)));
        Assert.That(y.Shape, Is.EqualTo(new Shape(n, m)));
        Metrics.AssertClose(b.ToHost(y), Reference(x, w, bias, down, up, n, k, m, r), Tight, "low-rank linear");
        using var noBias = b.LowRankLinear(b.FromHost(x, new Shape(n, k)), b.FromHost(w, new Shape(m, k)), null,
            b.FromHost(down, new Shape(r, k)), b.FromHost(up, new Shape(m, r)));
        Metrics.AssertClose(b.ToHost(noBias), Reference(x, w, null, down, up, n, k, m, r), Tight, "low-rank linear without bias");
    }

    [Test]
    public void MappedBf16WeightStaysMappedAndMatches()
    {
        var random = new RandomData();
        int n = 19, k = 70, m = 45, r = 5;
        var w = Array.ConvertAll(random.Normal(m * k), FloatCodec.RoundToBF16);
        using var temp = new TempDirectory();
        var path = temp.Combine("w.safetensors");
        using (var writer = new Wan.Runtime.Weights.SafetensorsWriter(path, [("w", DType.BF16, new Shape(m, k))]))
        {
            writer.WriteTensor("w", System.Runtime.InteropServices.MemoryMarshal.AsBytes(Array.ConvertAll(w, FloatCodec.FloatToBF16).AsSpan()));
            writer.Commit();
        }
        using var b = new CpuBackend(eagerWeightElements: 0);
        using var file = Wan.Runtime.Weights.SafetensorsFile.Open(path);
        using var weight = b.LoadWeight(file.Get("w"));
        Assert.That(weight, Is.TypeOf<MappedCpuTensor>(), "the base weight is mapped, not converted");
        var (x, down, up) = (random.Normal(n * k), random.Normal(r * k), random.Normal(m * r));
        using var y = b.LowRankLinear(b.FromHost(x, new Shape(n, k)), weight, null, b.FromHost(down, new Shape(r, k)), b.FromHost(up, new Shape(m, r)));
        Metrics.AssertClose(b.ToHost(y), Reference(x, w, null, down, up, n, k, m, r), Tight, "low-rank linear over a mapped bf16 weight");
    }

    [Test]
    public void MismatchedFactorsAreRefused()
    {
        using var b = new CpuBackend();
        Tensor T(params int[] dims) => b.FromHost(new float[new Shape(dims).ElementCount], new Shape(dims));
        Assert.That(() => b.LowRankLinear(T(2, 3), T(4, 3), null, T(2, 5), T(4, 2)),
            Throws.ArgumentException.With.Message.Contains("down [2, 5] must be [rank, 3]"));
        Assert.That(() => b.LowRankLinear(T(2, 3), T(4, 3), null, T(2, 3), T(4, 3)),
            Throws.ArgumentException.With.Message.Contains("up [4, 3] must be [4, 2]"));
        Assert.That(() => b.LowRankLinear(T(2, 3), T(4, 6), null, T(2, 3), T(4, 2)),
            Throws.ArgumentException.With.Message.Contains("weight [4, 6] does not take inputs of width 3"));
    }
}
