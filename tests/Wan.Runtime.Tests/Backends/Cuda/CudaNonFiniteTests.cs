using Wan.Runtime.Backends.Cpu;
using Wan.Runtime.Backends.Cuda;
using Wan.Runtime.Tensors;
using static Wan.Testing.EmulatedTesting;
using static Wan.Testing.Metrics;

namespace Wan.Runtime.Tests.Backends.Cuda;

/// <summary>
/// kernels/cuda/checks.cu through <see cref="CudaBackend.CountNonFinite"/> on the emulated device, per
/// storage type, against the CPU backend's count of the same values: NaN, ±Inf and (fp16) finite
/// values that overflow when stored; sizes that make threads loop (more elements than the grid) and
/// a tensor smaller than one block.
/// </summary>
[Category("Emulated")]
[TestFixtureSource(nameof(Storages))]
public sealed class CudaNonFiniteTests(DType storage)
{
    public static readonly DType[] Storages = [DType.F32, DType.BF16, DType.F16];

    [TestCase(256 * 4096 + 1237)]
    [TestCase(7)]
    public void CountsWhatTheCpuCountsInTheStoredValues(int count)
    {
        using var cpu = new CpuBackend();
        using var cuda = new CudaBackend(Emulator, storage);
        var random = NewRandom();
        var values = Uniform(random, count, -2f, 2f);
        var special = new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity, 7e4f, -1e5f, 65504f };
        // Distinct positions, so no special value overwrites another (7 elements hold all 6 kinds).
        var positions = Enumerable.Range(0, count).OrderBy(_ => random.Next()).Take(Math.Min(count, 40)).ToArray();
        for (int i = 0; i < positions.Length; i++)
        {
            values[positions[i]] = special[i % special.Length];
        }
        using var x = cuda.FromHost(values, new Shape(count));
        var stored = cuda.ToHost(x);
        using var reference = cpu.FromHost(stored, new Shape(count));
        long expected = cpu.CountNonFinite(reference);
        long inserted = values.Count(v => !float.IsFinite(v));

        Assert.That(cuda.CountNonFinite(x), Is.EqualTo(expected), $"{storage}, {count} elements");
        Assert.That(expected, storage == DType.F16 ? Is.GreaterThan(inserted) : Is.EqualTo(inserted),
            "fp16 also counts the finite values beyond 65504 that became Inf when stored; fp32 and bf16 keep them finite");
        Assert.That(inserted, Is.GreaterThan(0), "the case has something to find");

        using var finite = cuda.FromHost(values.Select(v => float.IsFinite(v) && Math.Abs(v) <= 65504f ? v : 0.5f).ToArray(), new Shape(count));
        Assert.That(cuda.CountNonFinite(finite), Is.Zero);
    }
}
