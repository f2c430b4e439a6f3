namespace Wan.Runtime.Text;

/// <summary>
/// A single-byte encoding as ftfy's mojibake repair uses it: bytes 0x00..0x7F are ASCII (0x1A is
/// U+FFFD in the sloppy pages), 0x80..0xFF come from the code page table. Encoding is the exact
/// inverse; a character outside the table cannot be encoded.
/// </summary>
internal sealed class SingleByteCodePage
{
    private readonly char[] decode = new char[256];
    private readonly Dictionary<char, byte> encode = [];

    private SingleByteCodePage(string name, string highHalf, bool sloppy)
    {
        Name = name;
        for (var b = 0; b < 0x80; b++)
        {
            decode[b] = (char)b;
        }
        highHalf.CopyTo(0, decode, 0x80, 0x80);
        if (sloppy)
        {
            decode[0x1A] = '\uFFFD';
        }
        for (var b = 255; b >= 0; b--)
        {
            encode[decode[b]] = (byte)b;
        }
    }

    public string Name { get; }

    public static SingleByteCodePage Latin1 { get; } = new("latin-1", SingleByteCodePageData.Latin1, false);
    public static SingleByteCodePage SloppyWindows1252 { get; } = new("sloppy-windows-1252", SingleByteCodePageData.SloppyWindows1252, true);

    /// <summary>The encodings ftfy tries, in its order (chardata.CHARMAP_ENCODINGS).</summary>
    public static IReadOnlyList<SingleByteCodePage> MojibakeCandidates { get; } =
    [
        Latin1,
        SloppyWindows1252,
        new("sloppy-windows-1251", SingleByteCodePageData.SloppyWindows1251, true),
        new("sloppy-windows-1250", SingleByteCodePageData.SloppyWindows1250, true),
        new("sloppy-windows-1253", SingleByteCodePageData.SloppyWindows1253, true),
        new("sloppy-windows-1254", SingleByteCodePageData.SloppyWindows1254, true),
        new("sloppy-windows-1257", SingleByteCodePageData.SloppyWindows1257, true),
        new("iso-8859-2", SingleByteCodePageData.Iso8859_2, false),
        new("macroman", SingleByteCodePageData.MacRoman, false),
        new("cp437", SingleByteCodePageData.Cp437, false),
    ];

    public char Decode(byte b) => decode[b];

    /// <summary>
    /// Whether the text could have been decoded from this encoding (ftfy's possible_encoding): every
    /// character is ASCII other than U+001A, or one of the characters of bytes 0x80..0xFF and 0x1A.
    /// </summary>
    public bool CanEncode(string text)
    {
        foreach (var ch in text)
        {
            if (ch == '\u001A' ? decode[0x1A] != ch : ch >= 0x80 && !encode.ContainsKey(ch))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The bytes of <paramref name="text"/>; only valid after <see cref="CanEncode"/> said yes.</summary>
    public byte[] Encode(string text)
    {
        var bytes = new byte[text.Length];
        for (var i = 0; i < text.Length; i++)
        {
            bytes[i] = encode[text[i]];
        }
        return bytes;
    }
}
