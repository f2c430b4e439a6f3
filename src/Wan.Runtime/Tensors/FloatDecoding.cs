using System.Buffers.Binary;
using System.Runtime.InteropServices;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Wan.Runtime.Tensors;

/// <summary>Little-endian stored floats of any float dtype → float32: the one decoder the reader, the backends and the converter share.</summary>
public static class FloatDecoding
{
    /// <summary>Decodes dst.Length elements from <paramref name="src"/> (at least dst.Length × the dtype's size bytes).</summary>
    public static void Decode(DType dtype, ReadOnlySpan<byte> src, Span<float> dst)
    {
        var bytes = checked(dst.Length * dtype.SizeOf());
        if (src.Length < bytes)
        {
            throw new ArgumentException($"{src.Length} bytes cannot hold {dst.Length} {dtype} values");
        }
        src = src[..bytes];
        switch (dtype)
        {
            case DType.F32:
                src.CopyTo(MemoryMarshal.AsBytes(dst));
                break;
            case DType.F16:
                TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(src), dst);
                break;
            case DType.BF16:
                for (int i = 0; i < dst.Length; i++)
                {
                    dst[i] = HalfConversions.BF16ToFloat(BinaryPrimitives.ReadUInt16LittleEndian(src[(2 * i)..]));
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
}
