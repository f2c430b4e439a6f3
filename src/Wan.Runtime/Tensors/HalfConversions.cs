using Wan.Kernels.Numerics;

namespace Wan.Runtime.Tensors;

/// <summary>Bit-exact conversions between float32 and the 16- and 8-bit float formats (16-bit: <see cref="Float16Codec"/>, shared with the devices).</summary>
public static class HalfConversions
{
    public static float BF16ToFloat(ushort bits) => Float16Codec.BF16ToFloat(bits);

    /// <summary>Round to nearest even, NaN kept quiet (the rule PyTorch and CUDA use).</summary>
    public static ushort FloatToBF16(float value) => Float16Codec.FloatToBF16(value);

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
