using System.Runtime.InteropServices;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends.Cuda;

/// <summary>Host-side encoding of float32 values into a storage dtype's bytes and back (round to nearest even).</summary>
internal static class CudaHostConversion
{
    public static byte[] Encode(ReadOnlySpan<float> values, DType dtype)
    {
        switch (dtype)
        {
            case DType.F32:
                return MemoryMarshal.AsBytes(values).ToArray();
            case DType.BF16:
                var bf16 = new ushort[values.Length];
                for (int i = 0; i < values.Length; i++)
                {
                    bf16[i] = HalfConversions.FloatToBF16(values[i]);
                }
                return MemoryMarshal.AsBytes(bf16.AsSpan()).ToArray();
            case DType.F16:
                var f16 = new Half[values.Length];
                for (int i = 0; i < values.Length; i++)
                {
                    f16[i] = (Half)values[i];
                }
                return MemoryMarshal.AsBytes(f16.AsSpan()).ToArray();
            default:
                throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "CUDA tensors are stored as F32, BF16 or F16");
        }
    }

    public static float[] Decode(ReadOnlySpan<byte> bytes, DType dtype)
    {
        switch (dtype)
        {
            case DType.F32:
                return MemoryMarshal.Cast<byte, float>(bytes).ToArray();
            case DType.BF16:
                var bf16 = MemoryMarshal.Cast<byte, ushort>(bytes);
                var fromBf16 = new float[bf16.Length];
                for (int i = 0; i < bf16.Length; i++)
                {
                    fromBf16[i] = HalfConversions.BF16ToFloat(bf16[i]);
                }
                return fromBf16;
            case DType.F16:
                var f16 = MemoryMarshal.Cast<byte, Half>(bytes);
                var fromF16 = new float[f16.Length];
                for (int i = 0; i < f16.Length; i++)
                {
                    fromF16[i] = (float)f16[i];
                }
                return fromF16;
            default:
                throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "CUDA tensors are stored as F32, BF16 or F16");
        }
    }
}
