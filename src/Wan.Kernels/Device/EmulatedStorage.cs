using Wan.Kernels.Numerics;

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
                FloatCodec.F16ToFloat(new ReadOnlySpan<Half>((void*)address, destination.Length), destination);
                break;
            case GemmType.BF16:
                FloatCodec.BF16ToFloat(new ReadOnlySpan<ushort>((void*)address, destination.Length), destination);
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
                FloatCodec.FloatToF16(source, new Span<Half>((void*)address, source.Length));
                break;
            case GemmType.BF16:
                FloatCodec.FloatToBF16(source, new Span<ushort>((void*)address, source.Length));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "unknown GEMM storage type");
        }
    }
}
