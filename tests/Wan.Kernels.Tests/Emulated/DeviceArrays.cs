using System.Runtime.InteropServices;
using Wan.Kernels.Device;
using Wan.Kernels.Numerics;
using Wan.Kernels.Ops;
using Wan.Runtime.Tensors;

namespace Wan.Kernels.Tests.Emulated;

/// <summary>Moves float arrays to and from device buffers in a storage type (16-bit types round to nearest even).</summary>
internal static class DeviceArrays
{
    public static DeviceBuffer Upload(IDevice device, ReadOnlySpan<float> values, ElementType type)
    {
        var bytes = Encode(values, type);
        var buffer = device.Allocate(bytes.Length);
        device.CopyToDevice(bytes, buffer);
        return buffer;
    }

    public static DeviceBuffer UploadBytes<T>(IDevice device, ReadOnlySpan<T> values) where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(values);
        var buffer = device.Allocate(bytes.Length);
        device.CopyToDevice(bytes, buffer);
        return buffer;
    }

    /// <summary>A buffer of <paramref name="count"/> elements filled with NaN (0xFF bytes).</summary>
    public static DeviceBuffer Poisoned(IDevice device, long count, ElementType type)
    {
        var buffer = device.Allocate(count * type.Size());
        device.Memset(buffer, 0xFF);
        return buffer;
    }

    public static float[] Download(IDevice device, DeviceBuffer buffer, int count, ElementType type)
    {
        var bytes = new byte[count * type.Size()];
        device.CopyToHost(buffer, 0, bytes);
        return type switch
        {
            ElementType.F32 => MemoryMarshal.Cast<byte, float>(bytes).ToArray(),
            ElementType.BF16 => Array.ConvertAll(MemoryMarshal.Cast<byte, ushort>(bytes).ToArray(), FloatCodec.BF16ToFloat),
            ElementType.F16 => Array.ConvertAll(MemoryMarshal.Cast<byte, Half>(bytes).ToArray(), h => (float)h),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown element type"),
        };
    }

    public static T[] DownloadBytes<T>(IDevice device, DeviceBuffer buffer, int count) where T : unmanaged
    {
        var values = new T[count];
        device.CopyToHost(buffer, 0, MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    public static DType ToDType(ElementType type) => type switch
    {
        ElementType.F32 => DType.F32,
        ElementType.BF16 => DType.BF16,
        ElementType.F16 => DType.F16,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown element type"),
    };

    private static byte[] Encode(ReadOnlySpan<float> values, ElementType type)
    {
        switch (type)
        {
            case ElementType.F32:
                return MemoryMarshal.AsBytes(values).ToArray();
            case ElementType.BF16:
                var bf16 = new ushort[values.Length];
                FloatCodec.FloatToBF16(values, bf16);
                return MemoryMarshal.AsBytes(bf16.AsSpan()).ToArray();
            case ElementType.F16:
                var f16 = new Half[values.Length];
                FloatCodec.FloatToF16(values, f16);
                return MemoryMarshal.AsBytes(f16.AsSpan()).ToArray();
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "unknown element type");
        }
    }
}
