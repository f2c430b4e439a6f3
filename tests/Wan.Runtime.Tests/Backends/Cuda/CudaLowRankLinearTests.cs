using Wan.Runtime.Backends.Cpu;
using Wan.Runtime.Tensors;
using Wan.Testing;
using static Wan.Testing.EmulatedTesting;
using static Wan.Testing.Metrics;

namespace Wan.Runtime.Tests.Backends.Cuda;

/// <summary>
/// The CUDA backend's <c>LowRankLinear</c> (three device GEMMs) on the emulated device against the CPU
/// reference, per storage dtype, on random non-round sizes with the same storage-rounded inputs.
/// </summary>
public sealed class CudaLowRankLinearTests(DType storage) : EmulatedBackendFixture(storage)
{
    [TestCase(true)]
    [TestCase(false)]
    public void MatchesTheCpuBackend(bool withBias)
    {
        int n = 37 + Random.Next(8), k = 203 + Random.Next(60), m = 91 + Random.Next(9), r = 3 + Random.Next(13);
        (Tensor Cpu, Tensor Cuda) Pair(params int[] dims)
        {
            var shape = new Shape(dims);
            var values = Representable(Uniform(Random, shape.Size), Storage);
            return (Cpu.FromHost(values, shape), Cuda.FromHost(values, shape));
        }
        var (cx, gx) = Pair(n, k);
        var (cw, gw) = Pair(m, k);
        var (cb, gb) = Pair(m);
        var (cd, gd) = Pair(r, k);
        var (cu, gu) = Pair(m, r);
        var expected = Cpu.ToHost(Cpu.LowRankLinear(cx, cw, withBias ? cb : null, cd, cu));
        using var y = Cuda.LowRankLinear(gx, gw, withBias ? gb : null, gd, gu);
        Assert.That(y.Shape, Is.EqualTo(new Shape(n, m)));
        // Roundings: the base GEMM output, the [n, r] intermediate, the accumulated output, the bias add.
        AssertClose(Cuda.ToHost(y), expected, 4 * Tolerance(Storage), $"low-rank linear bias={withBias} r={r} {Storage}");
    }
}
