using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Wan.Runtime.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Wan.Runtime.Backends.Cpu;

/// <summary>
/// Vectorised conversion of raw stored weight bytes (F32, BF16, F16) to float32. This runs inside
/// the GEMM path for every block of a mapped weight, so it must be close to memory speed.
/// </summary>
internal static unsafe class StoredFloats
{
    public static bool IsSupported(DType dtype) => dtype is DType.F32 or DType.BF16 or DType.F16;

    /// <summary>Converts dst.Length elements starting at <paramref name="source"/> (stored as <paramref name="dtype"/>).</summary>
    public static void Convert(byte* source, DType dtype, Span<float> dst)
    {
        switch (dtype)
        {
            case DType.F32:
                new ReadOnlySpan<float>(source, dst.Length).CopyTo(dst);
                break;
            case DType.F16:
                TensorPrimitives.ConvertToSingle(new ReadOnlySpan<Half>(source, dst.Length), dst);
                break;
            case DType.BF16:
                Bf16ToSingle(new ReadOnlySpan<ushort>(source, dst.Length), dst);
                break;
            default:
                throw new NotSupportedException($"stored dtype {dtype} cannot be streamed as float32 (F32, BF16 and F16 can)");
        }
    }

    /// <summary>bf16 is the upper half of a float32: widen every value and shift it up 16 bits.</summary>
    public static void Bf16ToSingle(ReadOnlySpan<ushort> src, Span<float> dst)
    {
        var bits = MemoryMarshal.Cast<float, uint>(dst);
        ref ushort s = ref MemoryMarshal.GetReference(src);
        ref uint d = ref MemoryMarshal.GetReference(bits);
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= src.Length - Vector256<ushort>.Count; i += Vector256<ushort>.Count)
            {
                var (lower, upper) = Vector256.Widen(Vector256.LoadUnsafe(ref s, (nuint)i));
                Vector256.ShiftLeft(lower, 16).StoreUnsafe(ref d, (nuint)i);
                Vector256.ShiftLeft(upper, 16).StoreUnsafe(ref d, (nuint)(i + Vector256<uint>.Count));
            }
        }
        for (; i < src.Length; i++)
        {
            Unsafe.Add(ref d, i) = (uint)Unsafe.Add(ref s, i) << 16;
        }
    }
}
