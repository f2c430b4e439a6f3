using Wan.Runtime.Backends;
using Wan.Runtime.Backends.Cpu;
using Wan.Runtime.Tensors;
using Wan.Testing;

namespace Wan.Runtime.Tests.Backends;

/// <summary>
/// Attention big enough to take the multi-threaded (head, query block) path with single-threaded
/// sgemm, against the naive loop; OpenBLAS threading is restored afterwards.
/// </summary>
public class CpuMappedAttentionTests
{
    private readonly RandomData _r = new();

    [TestCase(203, 203, 6, 40, true)]
    [TestCase(150, 331, 5, 24, false)]
    [TestCase(317, 3001, 2, 24, true)]
    [TestCase(61, 5003, 3, 16, false)]
    public void ThreadedAttentionMatchesLoop(int lq, int lk, int heads, int dh, bool withBias)
    {
        using var b = new CpuBackend();
        int blasThreads = Wan.Kernels.Interop.OpenBlas.GetNumThreads();
        int dim = heads * dh, valid = lk - 3;
        var q = _r.Normal(lq * dim);
        var k = _r.Normal(lk * dim);
        var v = _r.Normal(lk * dim);
        var bias = withBias ? _r.Normal(heads * lq * lk) : null;
        float scale = 1f / MathF.Sqrt(dh);
        var spec = new AttentionSpec(heads, scale, valid, Bias: bias is null ? null : b.FromHost(bias, new Shape(heads, lq, lk)));

        using var o = b.Attention(b.FromHost(q, new Shape(lq, dim)), b.FromHost(k, new Shape(lk, dim)), b.FromHost(v, new Shape(lk, dim)), spec);

        Metrics.AssertClose(b.ToHost(o), NaiveOps.Attention(q, k, v, lq, lk, dim, heads, scale, valid, bias), 1e-5, "threaded attention");
        Assert.That(Wan.Kernels.Interop.OpenBlas.GetNumThreads(), Is.EqualTo(blasThreads), "OpenBLAS thread count restored");
    }
}
