using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Wan.Runtime.Tensors;

namespace Wan.Convert.Precision;

/// <summary>Decodes little-endian float tensors of any stored dtype to float32, and encodes float32 to 16-bit types.</summary>
public static class FloatCodec
{
    public static void Decode(DType dtype, ReadOnlySpan<byte> src, Span<float> dst)
    {
        switch (dtype)
        {
            case DType.F32:
                src[..(dst.Length * 4)].CopyTo(MemoryMarshal.AsBytes(dst));
                break;
            case DType.BF16:
                for (int i = 0; i < dst.Length; i++)
                {
                    dst[i] = HalfConversions.BF16ToFloat(BinaryPrimitives.ReadUInt16LittleEndian(src[(2 * i)..]));
                }
                break;
            case DType.F16:
                for (int i = 0; i < dst.Length; i++)
                {
                    dst[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(src[(2 * i)..]);
                }
                break;
            case DType.F64:
                for (int i = 0; i < dst.Length; i++)
                {
                    dst[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(src[(8 * i)..]);
                }
                break;
            case DType.F8E4M3:
                for (int i = 0; i < dst.Length; i++)
                {
                    dst[i] = HalfConversions.F8E4M3ToFloat(src[i]);
                }
                break;
            case DType.F8E5M2:
                for (int i = 0; i < dst.Length; i++)
                {
                    dst[i] = HalfConversions.F8E5M2ToFloat(src[i]);
                }
                break;
            default:
                throw new InvalidOperationException($"dtype {dtype} is not a float type");
        }
    }

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
