using Wan.Runtime.Backends.Cpu;
using Wan.Runtime.Backends.Cuda;
using Wan.Runtime.Tensors;
using static Wan.Testing.EmulatedTesting;
using static Wan.Testing.Metrics;

namespace Wan.Runtime.Tests.Backends.Cuda;

/// <summary>
/// The CUDA backend's <c>LowRankLinear</c> (three device GEMMs) on the emulated device against the CPU
/// reference, per storage dtype, on random non-round sizes with the same storage-rounded inputs.
/// </summary>
[Category("Emulated")]
[TestFixtureSource(nameof(Storages))]
public sealed class CudaLowRankLinearTests(DType storage)
{
    public static readonly DType[] Storages = [DType.F32, DType.BF16, DType.F16];

    [TestCase(true)]
    [TestCase(false)]
    public void MatchesTheCpuBackend(bool withBias)
    {
        var random = NewRandom();
        using var cpu = new CpuBackend();
        using var cuda = new CudaBackend(Emulator, storage);
        int n = 37 + random.Next(8), k = 203 + random.Next(60), m = 91 + random.Next(9), r = 3 + random.Next(13);
        (Tensor Cpu, Tensor Cuda) Pair(params int[] dims)
        {
            var shape = new Shape(dims);
            var values = Representable(Uniform(random, shape.Size), storage);
            return (cpu.FromHost(values, shape), cuda.FromHost(values, shape));
        }
        var (cx, gx) = Pair(n, k);
        var (cw, gw) = Pair(m, k);
        var (cb, gb) = Pair(m);
        var (cd, gd) = Pair(r, k);
        var (cu, gu) = Pair(m, r);
        var expected = cpu.ToHost(cpu.LowRankLinear(cx, cw, withBias ? cb : null, cd, cu));
        using var y = cuda.LowRankLinear(gx, gw, withBias ? gb : null, gd, gu);
        Assert.That(y.Shape, Is.EqualTo(new Shape(n, m)));
        // Roundings: the base GEMM output, the [n, r] intermediate, the accumulated output, the bias add.
        AssertClose(cuda.ToHost(y), expected, 4 * Tolerance(storage), $"low-rank linear bias={withBias} r={r} {storage}");
    }
}
