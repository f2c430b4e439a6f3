namespace Wan.Runtime.Video;

/// <summary>
/// Animated GIF (GIF89a, looping) with nothing installed: a fixed 3-3-2 RGB palette, 4x4 ordered
/// dithering, and LZW-compressed frames.
/// </summary>
public static class GifWriter
{
    private static readonly int[] Bayer4 = [0, 8, 2, 10, 12, 4, 14, 6, 3, 11, 1, 9, 15, 7, 13, 5];

    /// <summary>Writes every frame as one looping GIF89a at the video's frame rate (delay rounded to 1/100 s).</summary>
    /// <param name="video">the frames, at most 65535 pixels wide and high.</param>
    /// <param name="output">the stream the GIF is written to.</param>
    /// <exception cref="ArgumentException">the frames are larger than GIF allows.</exception>
    public static void Write(VideoFrames video, Stream output)
    {
        if (video.Width > ushort.MaxValue || video.Height > ushort.MaxValue)
        {
            throw new ArgumentException($"GIF frames are at most 65535 pixels wide and high, not {video.Width}x{video.Height}");
        }
        output.Write("GIF89a"u8);
        WriteUInt16(output, video.Width);
        WriteUInt16(output, video.Height);
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

        int delay = Math.Max(1, (int)Math.Round(100.0 / video.Fps));
        var indices = new byte[video.Width * video.Height];
        for (int f = 0; f < video.Frames; f++)
        {
            output.Write([0x21, 0xF9, 0x04, 0x00]);
            WriteUInt16(output, delay);
            output.Write([0x00, 0x00]);
            output.WriteByte(0x2C);
            WriteUInt16(output, 0);
            WriteUInt16(output, 0);
            WriteUInt16(output, video.Width);
            WriteUInt16(output, video.Height);
            output.WriteByte(0);
            Quantize(video.Frame(f), video.Width, indices);
            output.WriteByte(8);
            LzwEncode(indices, output);
        }
        output.WriteByte(0x3B);
    }

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
    internal static void LzwEncode(ReadOnlySpan<byte> indices, Stream output)
    {
        const int clear = 256, end = 257, maxCode = 4096;
        var blocks = new SubBlockWriter(output);
        var table = new Dictionary<int, int>();
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
