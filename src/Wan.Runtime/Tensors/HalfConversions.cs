using System.Runtime.CompilerServices;

namespace Wan.Runtime.Tensors;

/// <summary>Bit-exact conversions between float32 and the 16- and 8-bit float formats.</summary>
public static class HalfConversions
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float BF16ToFloat(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);

    /// <summary>Round to nearest even, NaN kept quiet (the rule PyTorch and CUDA use).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort FloatToBF16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if ((bits & 0x7FFF_FFFF) > 0x7F80_0000)
        {
            return (ushort)((bits >> 16) | 0x40);
        }
        uint rounding = 0x7FFF + ((bits >> 16) & 1);
        return (ushort)((bits + rounding) >> 16);
    }

    public static float RoundToBF16(float value) => BF16ToFloat(FloatToBF16(value));

    public static float RoundToF16(float value) => (float)(Half)value;

    /// <summary>OCP FP8 E4M3 (fn: no infinities, S.1111.111 is NaN, max 448).</summary>
    public static float F8E4M3ToFloat(byte b)
    {
        int sign = (b >> 7) & 1;
        int exp = (b >> 3) & 0xF;
        int man = b & 7;
        float v;
        if (exp == 0xF && man == 7)
        {
            v = float.NaN;
        }
        else if (exp == 0)
        {
            v = man / 8f * MathF.Pow(2, -6);
        }
        else
        {
            v = (1 + man / 8f) * MathF.Pow(2, exp - 7);
        }
        return sign == 1 ? -v : v;
    }

    /// <summary>FP8 E5M2 (IEEE-like: the top byte of a float16).</summary>
    public static float F8E5M2ToFloat(byte b) => (float)BitConverter.UInt16BitsToHalf((ushort)(b << 8));
}
