using System.Buffers.Binary;
using System.Text;

namespace Wan.Runtime.Tests.Weights;

/// <summary>Raw safetensors files assembled by hand, so tests can make every field wrong on purpose.</summary>
public static class SafetensorsBytes
{
    /// <summary>8-byte little-endian header length, the header bytes, then the data.</summary>
    public static byte[] Build(ReadOnlySpan<byte> header, ReadOnlySpan<byte> data, ulong? declaredHeaderLength = null)
    {
        var bytes = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declaredHeaderLength ?? (ulong)header.Length);
        header.CopyTo(bytes.AsSpan(8));
        data.CopyTo(bytes.AsSpan(8 + header.Length));
        return bytes;
    }

    public static byte[] Build(string headerJson, int dataBytes) =>
        Build(Encoding.UTF8.GetBytes(headerJson), new byte[dataBytes]);

    /// <summary>A header entry: <c>"name": {"dtype": ..., "shape": [...], "data_offsets": [begin, end]}</c>.</summary>
    public static string Entry(string name, string dtype, string shape, long begin, long end) =>
        $"\"{name}\": {{\"dtype\": \"{dtype}\", \"shape\": {shape}, \"data_offsets\": [{begin}, {end}]}}";
}
