using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Wan.Kernels.Numerics;

/// <summary>
/// The one host implementation of float32 ⇄ bf16 / fp16 / fp8 (E4M3 fn, E5M2). Encoding rounds to
/// nearest even, bit-exact with the kernels' <c>cvt.rn.bf16.f32</c> / <c>cvt.rn.f16.f32</c>
/// (kernels/cuda/common.cuh) and with PyTorch's <c>Tensor.to</c>; a NaN stays a NaN. Span overloads
/// are vectorised (Vector256/Vector128 for bf16, <see cref="TensorPrimitives"/> for fp16, a
/// 256-entry table for fp8) and throw <see cref="ArgumentException"/> when the lengths differ.
/// Used by the emulated device's GEMM, the backends' uploads and weight reads, and wan-convert.
/// </summary>
public static class FloatCodec
{
    /// <summary>Largest finite OCP FP8 E4M3 (fn) value.</summary>
    public const float F8E4M3Max = 448f;

    private static readonly float[] F8E4M3Table = BuildTable(F8E4M3ToFloat);
    private static readonly float[] F8E5M2Table = BuildTable(F8E5M2ToFloat);

    /// <summary>bf16 bits → float32: bf16 is the upper half of a float32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float BF16ToFloat(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);

    /// <summary>float32 → bf16 bits, round to nearest even; a NaN keeps its sign and top payload bits and is made quiet.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort FloatToBF16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if ((bits & 0x7FFF_FFFF) > 0x7F80_0000)
        {
            return (ushort)((bits >> 16) | 0x40);
        }
        return (ushort)((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16);
    }

    /// <summary>The float32 a value becomes when stored as bf16 and read back.</summary>
    public static float RoundToBF16(float value) => BF16ToFloat(FloatToBF16(value));

    /// <summary>The float32 a value becomes when stored as fp16 and read back (IEEE: beyond ±65504 it becomes ±∞).</summary>
    public static float RoundToF16(float value) => (float)(Half)value;

    /// <summary>OCP FP8 E4M3 (fn: no infinities, S.1111.111 is NaN, max 448, subnormals 2^-9 apart) → float32.</summary>
    public static float F8E4M3ToFloat(byte code)
    {
        int exponent = (code >> 3) & 0xF;
        int mantissa = code & 7;
        float magnitude = exponent == 0xF && mantissa == 7
            ? float.NaN
            : exponent == 0
                ? mantissa * (1f / 512f)
                : (8 + mantissa) * MathF.ScaleB(1f, exponent - 10);
        return (code & 0x80) != 0 ? -magnitude : magnitude;
    }

    /// <summary>
    /// float32 → OCP FP8 E4M3 (fn), round to nearest even. Finite values beyond ±448 and ±∞ saturate
    /// to ±448 (as wan-convert wants for scaled weights, and as CUDA's <c>__NV_SATFINITE</c> does); NaN → S.1111.111.
    /// </summary>
    public static byte FloatToF8E4M3(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        byte sign = (byte)((bits >> 24) & 0x80);
        if (float.IsNaN(value))
        {
            return (byte)(sign | 0x7F);
        }
        float magnitude = MathF.Abs(value);
        if (magnitude >= F8E4M3Max)
        {
            return (byte)(sign | 0x7E);
        }
        if (magnitude < 1f / 64f)
        {
            // Subnormals are multiples of 2^-9: scaling is exact, and 8 steps carry into the first normal code 0x08.
            return (byte)(sign | (int)MathF.Round(magnitude * 512f, MidpointRounding.ToEven));
        }
        int exponent = (int)((bits >> 23) & 0xFF) - 127;
        uint kept = (bits & 0x7F_FFFF) >> 20;
        uint rest = bits & 0xF_FFFF;
        if (rest > 0x8_0000 || (rest == 0x8_0000 && (kept & 1) == 1))
        {
            kept++;
        }
        if (kept == 8)
        {
            kept = 0;
            exponent++;
        }
        int biased = exponent + 7;
        return biased > 15 || (biased == 15 && kept == 7)
            ? (byte)(sign | 0x7E)
            : (byte)(sign | (biased << 3) | (int)kept);
    }

    /// <summary>FP8 E5M2 (IEEE-like, with ∞ and NaN: the top byte of an fp16) → float32.</summary>
    public static float F8E5M2ToFloat(byte code) => (float)BitConverter.UInt16BitsToHalf((ushort)(code << 8));

    /// <summary>bf16 → float32 for a span: every value widened and shifted up 16 bits, 16 at a time.</summary>
    public static void BF16ToFloat(ReadOnlySpan<ushort> source, Span<float> destination)
    {
        CheckLengths(source.Length, destination.Length);
        ref ushort s = ref MemoryMarshal.GetReference(source);
        ref uint d = ref MemoryMarshal.GetReference(MemoryMarshal.Cast<float, uint>(destination));
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= source.Length - Vector256<ushort>.Count; i += Vector256<ushort>.Count)
            {
                var (lower, upper) = Vector256.Widen(Vector256.LoadUnsafe(ref s, (nuint)i));
                Vector256.ShiftLeft(lower, 16).StoreUnsafe(ref d, (nuint)i);
                Vector256.ShiftLeft(upper, 16).StoreUnsafe(ref d, (nuint)(i + Vector256<uint>.Count));
            }
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            for (; i <= source.Length - Vector128<ushort>.Count; i += Vector128<ushort>.Count)
            {
                var (lower, upper) = Vector128.Widen(Vector128.LoadUnsafe(ref s, (nuint)i));
                Vector128.ShiftLeft(lower, 16).StoreUnsafe(ref d, (nuint)i);
                Vector128.ShiftLeft(upper, 16).StoreUnsafe(ref d, (nuint)(i + Vector128<uint>.Count));
            }
        }
        for (; i < source.Length; i++)
        {
            Unsafe.Add(ref d, i) = (uint)Unsafe.Add(ref s, i) << 16;
        }
    }

    /// <summary>float32 → bf16 for a span, round to nearest even (NaN made quiet), 16 at a time.</summary>
    public static void FloatToBF16(ReadOnlySpan<float> source, Span<ushort> destination)
    {
        CheckLengths(source.Length, destination.Length);
        ref uint s = ref MemoryMarshal.GetReference(MemoryMarshal.Cast<float, uint>(source));
        ref ushort d = ref MemoryMarshal.GetReference(destination);
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= source.Length - Vector256<ushort>.Count; i += Vector256<ushort>.Count)
            {
                var lower = RoundToBF16Bits(Vector256.LoadUnsafe(ref s, (nuint)i));
                var upper = RoundToBF16Bits(Vector256.LoadUnsafe(ref s, (nuint)(i + Vector256<uint>.Count)));
                Vector256.Narrow(lower, upper).StoreUnsafe(ref d, (nuint)i);
            }
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            for (; i <= source.Length - Vector128<ushort>.Count; i += Vector128<ushort>.Count)
            {
                var lower = RoundToBF16Bits(Vector128.LoadUnsafe(ref s, (nuint)i));
                var upper = RoundToBF16Bits(Vector128.LoadUnsafe(ref s, (nuint)(i + Vector128<uint>.Count)));
                Vector128.Narrow(lower, upper).StoreUnsafe(ref d, (nuint)i);
            }
        }
        for (; i < source.Length; i++)
        {
            Unsafe.Add(ref d, i) = FloatToBF16(BitConverter.UInt32BitsToSingle(Unsafe.Add(ref s, i)));
        }
    }

    /// <summary>The scalar <see cref="FloatToBF16(float)"/> on 8 lanes, result in the low 16 bits of each.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> RoundToBF16Bits(Vector256<uint> bits)
    {
        var isNaN = Vector256.GreaterThan(bits & Vector256.Create(0x7FFF_FFFFu), Vector256.Create(0x7F80_0000u));
        var rounded = Vector256.ShiftRightLogical(bits + Vector256.Create(0x7FFFu) + (Vector256.ShiftRightLogical(bits, 16) & Vector256<uint>.One), 16);
        var quietNaN = Vector256.ShiftRightLogical(bits, 16) | Vector256.Create(0x40u);
        return Vector256.ConditionalSelect(isNaN, quietNaN, rounded);
    }

    /// <summary>The scalar <see cref="FloatToBF16(float)"/> on 4 lanes, result in the low 16 bits of each.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> RoundToBF16Bits(Vector128<uint> bits)
    {
        var isNaN = Vector128.GreaterThan(bits & Vector128.Create(0x7FFF_FFFFu), Vector128.Create(0x7F80_0000u));
        var rounded = Vector128.ShiftRightLogical(bits + Vector128.Create(0x7FFFu) + (Vector128.ShiftRightLogical(bits, 16) & Vector128<uint>.One), 16);
        var quietNaN = Vector128.ShiftRightLogical(bits, 16) | Vector128.Create(0x40u);
        return Vector128.ConditionalSelect(isNaN, quietNaN, rounded);
    }

    /// <summary>fp16 → float32 for a span (exact; vectorised by <see cref="TensorPrimitives.ConvertToSingle"/>).</summary>
    public static void F16ToFloat(ReadOnlySpan<Half> source, Span<float> destination)
    {
        CheckLengths(source.Length, destination.Length);
        TensorPrimitives.ConvertToSingle(source, destination);
    }

    /// <summary>float32 → fp16 for a span, IEEE round to nearest even like <c>cvt.rn.f16.f32</c> (beyond ±65504: ±∞).</summary>
    public static void FloatToF16(ReadOnlySpan<float> source, Span<Half> destination)
    {
        CheckLengths(source.Length, destination.Length);
        TensorPrimitives.ConvertToHalf(source, destination);
    }

    /// <summary>FP8 E4M3 (fn) → float32 for a span, by table.</summary>
    public static void F8E4M3ToFloat(ReadOnlySpan<byte> source, Span<float> destination) => Lookup(F8E4M3Table, source, destination);

    /// <summary>FP8 E5M2 → float32 for a span, by table.</summary>
    public static void F8E5M2ToFloat(ReadOnlySpan<byte> source, Span<float> destination) => Lookup(F8E5M2Table, source, destination);

    /// <summary>float32 → FP8 E4M3 (fn) for a span, saturating as <see cref="FloatToF8E4M3(float)"/> does.</summary>
    public static void FloatToF8E4M3(ReadOnlySpan<float> source, Span<byte> destination)
    {
        CheckLengths(source.Length, destination.Length);
        for (int i = 0; i < source.Length; i++)
        {
            destination[i] = FloatToF8E4M3(source[i]);
        }
    }

    private static void Lookup(float[] table, ReadOnlySpan<byte> source, Span<float> destination)
    {
        CheckLengths(source.Length, destination.Length);
        ref float t = ref MemoryMarshal.GetArrayDataReference(table);
        for (int i = 0; i < source.Length; i++)
        {
            destination[i] = Unsafe.Add(ref t, source[i]);
        }
    }

    private static float[] BuildTable(Func<byte, float> decode)
    {
        var table = new float[256];
        for (int code = 0; code < 256; code++)
        {
            table[code] = decode((byte)code);
        }
        return table;
    }

    private static void CheckLengths(int source, int destination)
    {
        if (source != destination)
        {
            throw new ArgumentException($"conversion of {source} values into a span of {destination}");
        }
    }
}
