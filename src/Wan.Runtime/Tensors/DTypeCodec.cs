using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Wan.Kernels.Numerics;

namespace Wan.Runtime.Tensors;

/// <summary>
/// Little-endian stored floats of a <see cref="DType"/> ⇄ float32: the dispatch by dtype over
/// <see cref="FloatCodec"/> (which knows the formats but not <see cref="DType"/>, being one project
/// lower). The readers, the backends and wan-convert all convert through here.
/// </summary>
public static class DTypeCodec
{
    /// <summary>
    /// Decodes <c>destination.Length</c> values of <paramref name="dtype"/> from <paramref name="source"/>.
    /// Throws <see cref="ArgumentException"/> when the source holds fewer bytes than that, and
    /// <see cref="InvalidOperationException"/> for a non-float dtype.
    /// </summary>
    public static void Decode(DType dtype, ReadOnlySpan<byte> source, Span<float> destination)
    {
        source = Exactly(dtype, source, destination.Length);
        switch (dtype)
        {
            case DType.F32:
                source.CopyTo(MemoryMarshal.AsBytes(destination));
                break;
            case DType.F16:
                FloatCodec.F16ToFloat(MemoryMarshal.Cast<byte, Half>(source), destination);
                break;
            case DType.BF16:
                FloatCodec.BF16ToFloat(MemoryMarshal.Cast<byte, ushort>(source), destination);
                break;
            case DType.F8E4M3:
                FloatCodec.F8E4M3ToFloat(source, destination);
                break;
            case DType.F8E5M2:
                FloatCodec.F8E5M2ToFloat(source, destination);
                break;
            case DType.F64:
                for (int i = 0; i < destination.Length; i++)
                {
                    destination[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(source[(8 * i)..]);
                }
                break;
            default:
                throw new InvalidOperationException($"dtype {dtype} is not a float type");
        }
    }

    /// <summary>
    /// Encodes <paramref name="source"/> as <paramref name="dtype"/> (F32, BF16, F16, F8E4M3 or F64)
    /// into the first <c>source.Length × size</c> bytes of <paramref name="destination"/>, rounding to
    /// nearest even: fp16 overflows to ±∞ as IEEE and CUDA do, fp8 E4M3 saturates at ±448.
    /// Throws <see cref="ArgumentException"/> for a short destination, <see cref="InvalidOperationException"/> for other dtypes.
    /// </summary>
    public static void Encode(ReadOnlySpan<float> source, DType dtype, Span<byte> destination)
    {
        var bytes = checked(source.Length * dtype.SizeOf());
        if (destination.Length < bytes)
        {
            throw new ArgumentException($"{destination.Length} bytes cannot hold {source.Length} {dtype} values");
        }
        destination = destination[..bytes];
        switch (dtype)
        {
            case DType.F32:
                MemoryMarshal.AsBytes(source).CopyTo(destination);
                break;
            case DType.F16:
                FloatCodec.FloatToF16(source, MemoryMarshal.Cast<byte, Half>(destination));
                break;
            case DType.BF16:
                FloatCodec.FloatToBF16(source, MemoryMarshal.Cast<byte, ushort>(destination));
                break;
            case DType.F8E4M3:
                FloatCodec.FloatToF8E4M3(source, destination);
                break;
            case DType.F64:
                for (int i = 0; i < source.Length; i++)
                {
                    BinaryPrimitives.WriteDoubleLittleEndian(destination[(8 * i)..], source[i]);
                }
                break;
            default:
                throw new InvalidOperationException($"no float32 → {dtype} encoding");
        }
    }

    /// <summary>The float32 a value becomes when stored as <paramref name="dtype"/> and read back (F32/F64: itself).</summary>
    public static float RoundTo(DType dtype, float value) => dtype switch
    {
        DType.BF16 => FloatCodec.RoundToBF16(value),
        DType.F16 => FloatCodec.RoundToF16(value),
        DType.F8E4M3 => FloatCodec.F8E4M3ToFloat(FloatCodec.FloatToF8E4M3(value)),
        DType.F32 or DType.F64 => value,
        _ => throw new InvalidOperationException($"dtype {dtype} is not a float type"),
    };

    private static ReadOnlySpan<byte> Exactly(DType dtype, ReadOnlySpan<byte> source, int count)
    {
        var bytes = checked(count * dtype.SizeOf());
        if (source.Length < bytes)
        {
            throw new ArgumentException($"{source.Length} bytes cannot hold {count} {dtype} values");
        }
        return source[..bytes];
    }
}
