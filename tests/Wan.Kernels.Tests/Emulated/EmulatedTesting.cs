using Wan.Kernels.Device;
using Wan.Kernels.Numerics;
using Wan.Runtime.Tensors;

namespace Wan.Kernels.Tests.Emulated;

/// <summary>
/// What the emulated-device tests share: one device per test run (the emulator library is loaded
/// once; $WAN_EMULATOR_LIB selects e.g. the ASan build), fresh random inputs, and error metrics.
/// </summary>
internal static class EmulatedTesting
{
    private static readonly Lazy<EmulatedDevice> SharedDevice = new(() =>
    {
        var device = new EmulatedDevice();
        TestContext.Progress.WriteLine($"emulated device: {device.LibraryPath}");
        return device;
    });

    public static EmulatedDevice Emulator => SharedDevice.Value;

    /// <summary>A fresh seed per call, written to the test log so a failure can be replayed.</summary>
    public static Random NewRandom()
    {
        int seed = Random.Shared.Next();
        TestContext.Out.WriteLine($"seed {seed}");
        return new Random(seed);
    }

    public static float[] Uniform(Random random, int count, float low = -2f, float high = 2f)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = low + (float)random.NextDouble() * (high - low);
        }
        return values;
    }

    /// <summary>Rounds values to what a tensor of <paramref name="storage"/> can hold.</summary>
    public static float[] Representable(float[] values, DType storage) => storage switch
    {
        DType.F32 => values,
        DType.BF16 => Array.ConvertAll(values, FloatCodec.RoundToBF16),
        DType.F16 => Array.ConvertAll(values, FloatCodec.RoundToF16),
        _ => throw new ArgumentOutOfRangeException(nameof(storage), storage, "not a CUDA storage type"),
    };

    /// <summary>Relative L2 tolerance of one kernel output stored in <paramref name="storage"/> (one rounding).</summary>
    public static double Tolerance(DType storage) => storage switch
    {
        DType.F32 => 2e-6,
        DType.BF16 => 5e-3,
        DType.F16 => 7e-4,
        _ => throw new ArgumentOutOfRangeException(nameof(storage), storage, "not a CUDA storage type"),
    };

    public static void AssertClose(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected, double tolerance, string what)
    {
        Assert.That(actual.Length, Is.EqualTo(expected.Length), $"{what}: length");
        double num = 0, den = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            if (!float.IsFinite(actual[i]))
            {
                Assert.Fail($"{what}: element {i} is {actual[i]} (expected {expected[i]})");
            }
            double d = (double)actual[i] - expected[i];
            num += d * d;
            den += (double)expected[i] * expected[i];
        }
        Assert.That(den, Is.GreaterThan(0), $"{what}: the reference is all zeros");
        double error = Math.Sqrt(num / den);
        TestContext.Out.WriteLine($"{what}: rel L2 {error:E3} (tolerance {tolerance:E1})");
        Assert.That(error, Is.LessThanOrEqualTo(tolerance), $"{what}: relative L2 error");
    }
}
