using System.Buffers.Binary;
using System.IO.Compression;

namespace Wan.Runtime.Video;

/// <summary>Minimal PNG encoder (8-bit RGB, filter 0, zlib from the framework) for frame sequences.</summary>
public static class PngWriter
{
    private static readonly uint[] CrcTable = BuildCrcTable();

    /// <summary>Writes one frame as a PNG.</summary>
    /// <param name="rgb">8-bit RGB pixels, row-major [H, W, 3].</param>
    /// <param name="width">pixels per row.</param>
    /// <param name="height">rows.</param>
    /// <param name="output">the stream the PNG is written to.</param>
    public static void WriteFrame(ReadOnlySpan<byte> rgb, int width, int height, Stream output) =>
        WriteFrame(rgb, width, height, output, new MemoryStream());

    /// <summary>Writes one frame as a PNG, compressing into <paramref name="scratch"/> (reused by a frame sequence).</summary>
    /// <param name="rgb">8-bit RGB pixels, row-major [H, W, 3].</param>
    /// <param name="width">pixels per row.</param>
    /// <param name="height">rows.</param>
    /// <param name="output">the stream the PNG is written to.</param>
    /// <param name="scratch">holds the compressed pixels; emptied first.</param>
    internal static void WriteFrame(ReadOnlySpan<byte> rgb, int width, int height, Stream output, MemoryStream scratch)
    {
        output.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // colour type RGB
        WriteChunk(output, "IHDR", ihdr);

        var raw = scratch;
        raw.SetLength(0);
        using (var z = new ZLibStream(raw, CompressionLevel.Fastest, leaveOpen: true))
        {
            for (int y = 0; y < height; y++)
            {
                z.WriteByte(0);
                z.Write(rgb.Slice(y * width * 3, width * 3));
            }
        }
        WriteChunk(output, "IDAT", raw.GetBuffer().AsSpan(0, (int)raw.Length));
        WriteChunk(output, "IEND", []);
    }

    private static void WriteChunk(Stream output, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(len, data.Length);
        output.Write(len);
        var typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
        output.Write(typeBytes);
        output.Write(data);
        uint crc = Crc(Crc(0xFFFF_FFFF, typeBytes), data) ^ 0xFFFF_FFFF;
        BinaryPrimitives.WriteUInt32BigEndian(len, crc);
        output.Write(len);
    }

    private static uint Crc(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (var b in data)
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }
        return crc;
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1;
            }
            table[n] = c;
        }
        return table;
    }
}
