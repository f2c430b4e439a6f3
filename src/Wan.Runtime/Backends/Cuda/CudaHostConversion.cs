using System.Runtime.InteropServices;
using Wan.Kernels.Numerics;
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
                var bf16 = new byte[values.Length * 2];
                Float16Codec.FloatToBF16(values, MemoryMarshal.Cast<byte, ushort>(bf16.AsSpan()));
                return bf16;
            case DType.F16:
                var f16 = new byte[values.Length * 2];
                Float16Codec.FloatToF16(values, MemoryMarshal.Cast<byte, Half>(f16.AsSpan()));
                return f16;
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
                var fromBf16 = new float[bytes.Length / 2];
                Float16Codec.BF16ToFloat(MemoryMarshal.Cast<byte, ushort>(bytes), fromBf16);
                return fromBf16;
            case DType.F16:
                var fromF16 = new float[bytes.Length / 2];
                Float16Codec.F16ToFloat(MemoryMarshal.Cast<byte, Half>(bytes), fromF16);
                return fromF16;
            default:
                throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "CUDA tensors are stored as F32, BF16 or F16");
        }
    }
}
