namespace Wan.Runtime.Video;

/// <summary>
/// Animated GIF (GIF89a, looping) with nothing installed: a fixed 3-3-2 RGB palette, 4x4 ordered
/// dithering, and LZW-compressed frames. The palette is fixed, not computed from the frames, so the GIF streams
/// in one pass: it holds one frame's palette indices and the LZW table, whatever the length.
/// </summary>
/// <param name="path">the .gif file to produce.</param>
public sealed class GifWriter(string path) : FileVideoSink(path)
{
    private static readonly int[] Bayer4 = [0, 8, 2, 10, 12, 4, 14, 6, 3, 11, 1, 9, 15, 7, 13, 5];
    private readonly Dictionary<int, int> _table = [];
    private byte[] _indices = [];
    private int _delay;

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">the frames are larger than GIF allows (65535 pixels wide or high).</exception>
    protected override void WriteHeader(Stream output, VideoFormat format)
    {
        if (format.Width > ushort.MaxValue || format.Height > ushort.MaxValue)
        {
            throw new ArgumentException($"GIF frames are at most 65535 pixels wide and high, not {format.Width}x{format.Height}");
        }
        output.Write("GIF89a"u8);
        WriteUInt16(output, format.Width);
        WriteUInt16(output, format.Height);
        output.WriteByte(0xF7); // global colour table, 8 bits per primary, 256 entries
        output.WriteByte(0);
        output.WriteByte(0);
        for (int i = 0; i < 256; i++)
        {
            output.WriteByte((byte)((i >> 5) * 255 / 7));
            output.WriteByte((byte)(((i >> 2) & 7) * 255 / 7));
            output.WriteByte((byte)((i & 3) * 255 / 3));
        }
        output.Write([0x21, 0xFF, 0x0B]);
        output.Write("NETSCAPE2.0"u8);
        output.Write([0x03, 0x01, 0x00, 0x00, 0x00]); // loop forever
        _delay = Math.Max(1, (int)Math.Round(100.0 / format.Fps));
        _indices = new byte[format.Width * format.Height];
    }

    /// <inheritdoc/>
    protected override void WriteFrame(Stream output, ReadOnlySpan<byte> rgb, int index)
    {
        output.Write([0x21, 0xF9, 0x04, 0x00]);
        WriteUInt16(output, _delay);
        output.Write([0x00, 0x00]);
        output.WriteByte(0x2C);
        WriteUInt16(output, 0);
        WriteUInt16(output, 0);
        WriteUInt16(output, Format.Width);
        WriteUInt16(output, Format.Height);
        output.WriteByte(0);
        Quantize(rgb, Format.Width, _indices);
        output.WriteByte(8);
        LzwEncode(_indices, output, _table);
    }

    /// <inheritdoc/>
    protected override void WriteTrailer(Stream output) => output.WriteByte(0x3B);

    private static void Quantize(ReadOnlySpan<byte> rgb, int width, byte[] indices)
    {
        for (int i = 0; i < indices.Length; i++)
        {
            int x = i % width, y = i / width;
            double d = (Bayer4[(y & 3) * 4 + (x & 3)] + 0.5) / 16.0 - 0.5;
            int r = Level(rgb[3 * i], 7, d), g = Level(rgb[3 * i + 1], 7, d), b = Level(rgb[3 * i + 2], 3, d);
            indices[i] = (byte)((r << 5) | (g << 2) | b);
        }
    }

    private static int Level(byte v, int levels, double dither) =>
        Math.Clamp((int)Math.Round(v * levels / 255.0 + dither), 0, levels);

    /// <summary>GIF LZW with minimum code size 8: clear 256, end 257, codes up to 12 bits, reset when full.</summary>
    /// <param name="indices">palette indices of one frame.</param>
    /// <param name="output">the stream the sub-blocks go to.</param>
    /// <param name="table">scratch for the string table, reused from frame to frame (cleared here).</param>
    internal static void LzwEncode(ReadOnlySpan<byte> indices, Stream output, Dictionary<int, int> table)
    {
        const int clear = 256, end = 257, maxCode = 4096;
        var blocks = new SubBlockWriter(output);
        table.Clear();
        int codeSize = 9, next = 258;
        blocks.WriteCode(clear, codeSize);
        int prefix = indices[0];
        for (int i = 1; i < indices.Length; i++)
        {
            int key = (prefix << 8) | indices[i];
            if (table.TryGetValue(key, out var code))
            {
                prefix = code;
                continue;
            }
            blocks.WriteCode(prefix, codeSize);
            if (next < maxCode)
            {
                table[key] = next++;
                if (next > 1 << codeSize && codeSize < 12)
                {
                    codeSize++;
                }
            }
            else
            {
                blocks.WriteCode(clear, codeSize);
                table.Clear();
                codeSize = 9;
                next = 258;
            }
            prefix = indices[i];
        }
        blocks.WriteCode(prefix, codeSize);
        blocks.WriteCode(end, codeSize);
        blocks.Finish();
    }

    private static void WriteUInt16(Stream s, int v)
    {
        s.WriteByte((byte)v);
        s.WriteByte((byte)(v >> 8));
    }

    /// <summary>Packs codes LSB-first into data sub-blocks of at most 255 bytes.</summary>
    private sealed class SubBlockWriter(Stream output)
    {
        private readonly byte[] _block = new byte[255];
        private int _count;
        private int _bits;
        private int _bitCount;

        public void WriteCode(int code, int size)
        {
            _bits |= code << _bitCount;
            _bitCount += size;
            while (_bitCount >= 8)
            {
                Put((byte)_bits);
                _bits >>= 8;
                _bitCount -= 8;
            }
        }

        public void Finish()
        {
            if (_bitCount > 0)
            {
                Put((byte)_bits);
            }
            Flush();
            output.WriteByte(0);
        }

        private void Put(byte b)
        {
            _block[_count++] = b;
            if (_count == 255)
            {
                Flush();
            }
        }

        private void Flush()
        {
            if (_count > 0)
            {
                output.WriteByte((byte)_count);
                output.Write(_block, 0, _count);
                _count = 0;
            }
        }
    }
}
