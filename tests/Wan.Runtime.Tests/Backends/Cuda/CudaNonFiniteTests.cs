using Wan.Runtime.Backends.Cuda;
using Wan.Runtime.Tensors;
using Wan.Testing;
using static Wan.Testing.EmulatedTesting;
using static Wan.Testing.Metrics;

namespace Wan.Runtime.Tests.Backends.Cuda;

/// <summary>
/// kernels/cuda/checks.cu through <see cref="CudaBackend.CountNonFinite"/> on the emulated device, per
/// storage type, against the CPU backend's count of the same values: NaN, ±Inf and (fp16) finite
/// values that overflow when stored; sizes that make threads loop (more elements than the grid) and
/// a tensor smaller than one block.
/// </summary>
public sealed class CudaNonFiniteTests(DType storage) : EmulatedBackendFixture(storage)
{
    [TestCase(256 * 4096 + 1237)]
    [TestCase(7)]
    public void CountsWhatTheCpuCountsInTheStoredValues(int count)
    {
        var values = Uniform(Random, count, -2f, 2f);
        var special = new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity, 7e4f, -1e5f, 65504f };
        // Distinct positions, so no special value overwrites another (7 elements hold all 6 kinds).
        var positions = Enumerable.Range(0, count).OrderBy(_ => Random.Next()).Take(Math.Min(count, 40)).ToArray();
        for (int i = 0; i < positions.Length; i++)
        {
            values[positions[i]] = special[i % special.Length];
        }
        using var x = Cuda.FromHost(values, new Shape(count));
        var stored = Cuda.ToHost(x);
        using var reference = Cpu.FromHost(stored, new Shape(count));
        long expected = Cpu.CountNonFinite(reference);
        long inserted = values.Count(v => !float.IsFinite(v));

        Assert.That(Cuda.CountNonFinite(x), Is.EqualTo(expected), $"{Storage}, {count} elements");
        Assert.That(expected, Storage == DType.F16 ? Is.GreaterThan(inserted) : Is.EqualTo(inserted),
            "fp16 also counts the finite values beyond 65504 that became Inf when stored; fp32 and bf16 keep them finite");
        Assert.That(inserted, Is.GreaterThan(0), "the case has something to find");

        using var finite = Cuda.FromHost(values.Select(v => float.IsFinite(v) && Math.Abs(v) <= 65504f ? v : 0.5f).ToArray(), new Shape(count));
        Assert.That(Cuda.CountNonFinite(finite), Is.Zero);
    }
}
