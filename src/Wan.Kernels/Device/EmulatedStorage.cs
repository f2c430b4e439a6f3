namespace Wan.Kernels.Device;

/// <summary>Reads and writes GEMM operands in their storage type as fp32 (16-bit types round to nearest even).</summary>
internal static unsafe class EmulatedStorage
{
    public static int SizeOf(GemmType type) => type == GemmType.F32 ? 4 : 2;

    public static void Read(ulong address, GemmType type, Span<float> destination)
    {
        switch (type)
        {
            case GemmType.F32:
                new ReadOnlySpan<float>((void*)address, destination.Length).CopyTo(destination);
                break;
            case GemmType.F16:
                var halves = new ReadOnlySpan<Half>((void*)address, destination.Length);
                for (int i = 0; i < destination.Length; i++)
                {
                    destination[i] = (float)halves[i];
                }
                break;
            case GemmType.BF16:
                var bf16 = new ReadOnlySpan<ushort>((void*)address, destination.Length);
                for (int i = 0; i < destination.Length; i++)
                {
                    destination[i] = BitConverter.Int32BitsToSingle(bf16[i] << 16);
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "unknown GEMM storage type");
        }
    }

    public static void Write(ReadOnlySpan<float> source, GemmType type, ulong address)
    {
        switch (type)
        {
            case GemmType.F32:
                source.CopyTo(new Span<float>((void*)address, source.Length));
                break;
            case GemmType.F16:
                var halves = new Span<Half>((void*)address, source.Length);
                for (int i = 0; i < source.Length; i++)
                {
                    halves[i] = (Half)source[i];
                }
                break;
            case GemmType.BF16:
                var bf16 = new Span<ushort>((void*)address, source.Length);
                for (int i = 0; i < source.Length; i++)
                {
                    bf16[i] = ToBF16(source[i]);
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "unknown GEMM storage type");
        }
    }

    /// <summary>Round to nearest even, NaN kept quiet (what cvt.rn.bf16.f32 does).</summary>
    private static ushort ToBF16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if ((bits & 0x7FFF_FFFF) > 0x7F80_0000)
        {
            return (ushort)((bits >> 16) | 0x40);
        }
        return (ushort)((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16);
    }
}
