using System.Runtime.CompilerServices;

namespace Wan.Kernels.Numerics;

/// <summary>
/// The one host implementation of float32 ⇄ bf16/fp16, bit-exact with the kernels' conversions
/// (common.cuh: cvt.rn.bf16.f32, cvt.rn.f16.f32): round to nearest even, NaN stays a quiet NaN.
/// Used by the emulated device's GEMM, the CUDA backend's uploads/downloads and Wan.Runtime's
/// HalfConversions.
/// </summary>
public static class Float16Codec
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float BF16ToFloat(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);

    /// <summary>Round to nearest even; a NaN keeps its sign and top payload bits and is made quiet.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort FloatToBF16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if ((bits & 0x7FFF_FFFF) > 0x7F80_0000)
        {
            return (ushort)((bits >> 16) | 0x40);
        }
        return (ushort)((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16);
    }

    public static void BF16ToFloat(ReadOnlySpan<ushort> source, Span<float> destination)
    {
        CheckLengths(source.Length, destination.Length);
        for (int i = 0; i < source.Length; i++)
        {
            destination[i] = BF16ToFloat(source[i]);
        }
    }

    public static void FloatToBF16(ReadOnlySpan<float> source, Span<ushort> destination)
    {
        CheckLengths(source.Length, destination.Length);
        for (int i = 0; i < source.Length; i++)
        {
            destination[i] = FloatToBF16(source[i]);
        }
    }

    /// <summary>.NET's Half conversion is IEEE round to nearest even, like cvt.rn.f16.f32.</summary>
    public static void F16ToFloat(ReadOnlySpan<Half> source, Span<float> destination)
    {
        CheckLengths(source.Length, destination.Length);
        for (int i = 0; i < source.Length; i++)
        {
            destination[i] = (float)source[i];
        }
    }

    public static void FloatToF16(ReadOnlySpan<float> source, Span<Half> destination)
    {
        CheckLengths(source.Length, destination.Length);
        for (int i = 0; i < source.Length; i++)
        {
            destination[i] = (Half)source[i];
        }
    }

    private static void CheckLengths(int source, int destination)
    {
        if (source != destination)
        {
            throw new ArgumentException($"conversion of {source} values into a span of {destination}");
        }
    }
}
