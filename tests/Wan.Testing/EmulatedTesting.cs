using Wan.Kernels.Device;
using Wan.Kernels.Numerics;
using Wan.Runtime.Tensors;

namespace Wan.Testing;

/// <summary>
/// What the emulated-device tests of the kernels and of the CUDA backend share: one device per test
/// run (the emulator library is loaded once; $WAN_EMULATOR_LIB selects e.g. the ASan build), fresh
/// random inputs and the tolerance of one rounding per storage type. Errors: <see cref="Metrics"/>.
/// </summary>
public static class EmulatedTesting
{
    private static readonly Lazy<EmulatedDevice> SharedDevice = new(() =>
    {
        var device = new EmulatedDevice();
        TestContext.Progress.WriteLine($"emulated device: {device.LibraryPath}");
        return device;
    });

    /// <summary>The emulated device every test of the run shares.</summary>
    public static EmulatedDevice Emulator => SharedDevice.Value;

    /// <summary>A fresh seed per call, written to the test log so a failure can be replayed (see <see cref="RandomData"/>).</summary>
    public static Random NewRandom() => new RandomData().Random;

    /// <summary>Uniform values in [low, high).</summary>
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
}
