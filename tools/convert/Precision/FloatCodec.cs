using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Wan.Runtime.Tensors;

namespace Wan.Convert.Precision;

/// <summary>Encodes float32 to the 16-bit types (decoding is <see cref="FloatDecoding"/>).</summary>
public static class FloatCodec
{
    /// <summary>
    /// The value a float32 becomes when stored as <paramref name="dtype"/> (F32 or wider: unchanged).
    /// Finite values beyond the float16 range saturate to +-65504 instead of becoming infinite.
    /// </summary>
    public static float RoundTo(DType dtype, float value) => dtype switch
    {
        DType.BF16 => HalfConversions.RoundToBF16(value),
        DType.F16 => (float)ToHalf(value),
        _ => value,
    };

    public static bool OutsideF16Range(float value) => float.IsFinite(value) && MathF.Abs(value) > (float)Half.MaxValue;

    public static Half ToHalf(float value) =>
        OutsideF16Range(value) ? (value > 0 ? Half.MaxValue : Half.MinValue) : (Half)value;
}
