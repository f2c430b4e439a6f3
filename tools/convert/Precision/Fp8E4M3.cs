namespace Wan.Convert.Precision;

/// <summary>Float32 -> OCP FP8 E4M3 (fn) encoding: round to nearest even, saturating at +-448, NaN -> 0x7F.</summary>
public static class Fp8E4M3
{
    public const float Max = 448f;

    public static byte Encode(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        byte sign = (byte)((bits >> 24) & 0x80);
        if (float.IsNaN(value))
        {
            return (byte)(sign | 0x7F);
        }
        float a = MathF.Abs(value);
        if (a >= Max)
        {
            return (byte)(sign | 0x7E);
        }
        if (a < 0.015625f)
        {
            // Subnormal range (below 2^-6): steps of 2^-9; 8 steps round up into the first normal code 0x08.
            return (byte)(sign | (int)RoundHalfEven(a * 512f));
        }
        int exponent = (int)((bits >> 23) & 0xFF) - 127;
        uint mantissa = bits & 0x7FFFFF;
        uint kept = mantissa >> 20;
        uint rest = mantissa & 0xFFFFF;
        if (rest > 0x80000 || (rest == 0x80000 && (kept & 1) == 1))
        {
            kept++;
        }
        if (kept == 8)
        {
            kept = 0;
            exponent++;
        }
        int biased = exponent + 7;
        if (biased > 15 || (biased == 15 && kept == 7))
        {
            return (byte)(sign | 0x7E);
        }
        return (byte)(sign | (biased << 3) | (int)kept);
    }

    private static float RoundHalfEven(float x) => MathF.Round(x, MidpointRounding.ToEven);
}
