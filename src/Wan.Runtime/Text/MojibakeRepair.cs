using System.Text;

namespace Wan.Runtime.Text;

/// <summary>
/// ftfy's fix_encoding: while the text looks like mojibake (<see cref="MojibakeDetector"/>), find
/// the first single-byte encoding (<see cref="SingleByteCodePage.MojibakeCandidates"/>) that can
/// encode it and whose bytes are valid UTF-8 (CESU-8 surrogate pairs and the overlong NUL C0 80
/// accepted, as ftfy's utf-8-variants codec does), and replace the text by that decoding. Failing
/// that, Latin-1 text is re-read as strict Windows-1252, and remaining C1 controls are read as
/// Windows-1252. Not implemented: restore_byte_a0 (a space that replaced byte A0 inside a UTF-8
/// sequence), replace_lossy_sequences (sequences lost to '?' or U+FFFD) and
/// decode_inconsistent_utf8 (mojibake mixed with correct text); such text is left as it is.
/// </summary>
internal static class MojibakeRepair
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    // The bytes strict Windows-1252 leaves unassigned (Python's cp1252 codec rejects them).
    private static readonly byte[] UnassignedWindows1252 = [0x81, 0x8D, 0x8F, 0x90, 0x9D];

    public static string Fix(string text)
    {
        while (true)
        {
            var fixedText = FixOneStep(text);
            if (fixedText == text)
            {
                return text;
            }
            text = fixedText;
        }
    }

    private static string FixOneStep(string text)
    {
        if (text.Length == 0 || IsAscii(text) || !MojibakeDetector.IsBad(text))
        {
            return text;
        }
        var latin1Possible = false;
        foreach (var encoding in SingleByteCodePage.MojibakeCandidates)
        {
            if (!encoding.CanEncode(text))
            {
                continue;
            }
            latin1Possible |= encoding == SingleByteCodePage.Latin1;
            var decoded = DecodeUtf8Variants(encoding.Encode(text));
            if (decoded is not null)
            {
                return decoded;
            }
        }
        if (latin1Possible && !text.Any(c => UnassignedWindows1252.Contains((byte)c)))
        {
            var reread = new string([.. text.Select(c => SingleByteCodePage.SloppyWindows1252.Decode((byte)c))]);
            if (reread != text)
            {
                return reread;
            }
        }
        return FixC1Controls(text);
    }

    /// <summary>ftfy's fix_c1_controls: U+0080..U+009F read as the Windows-1252 byte they are.</summary>
    public static string FixC1Controls(string text)
    {
        if (!text.Any(IsC1))
        {
            return text;
        }
        var chars = text.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (IsC1(chars[i]))
            {
                chars[i] = SingleByteCodePage.SloppyWindows1252.Decode((byte)chars[i]);
            }
        }
        return new string(chars);
    }

    private static bool IsC1(char c) => c is >= '\u0080' and <= '\u009F';

    private static bool IsAscii(string text)
    {
        foreach (var c in text)
        {
            if (c > '\u007F')
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Strict UTF-8, except that CESU-8 surrogate pairs and C0 80 (NUL) are accepted; null if invalid.</summary>
    private static string? DecodeUtf8Variants(byte[] bytes)
    {
        if (Array.IndexOf(bytes, (byte)0xED) >= 0 || Array.IndexOf(bytes, (byte)0xC0) >= 0)
        {
            bytes = RewriteVariants(bytes);
        }
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private static byte[] RewriteVariants(byte[] bytes)
    {
        var output = new List<byte>(bytes.Length);
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == 0xC0 && i + 1 < bytes.Length && bytes[i + 1] == 0x80)
            {
                output.Add(0);
                i++;
            }
            else if (i + 5 < bytes.Length && bytes[i] == 0xED && bytes[i + 1] is >= 0xA0 and <= 0xAF && IsContinuation(bytes[i + 2])
                && bytes[i + 3] == 0xED && bytes[i + 4] is >= 0xB0 and <= 0xBF && IsContinuation(bytes[i + 5]))
            {
                var high = 0xD000 | ((bytes[i + 1] & 0x3F) << 6) | (bytes[i + 2] & 0x3F);
                var low = 0xD000 | ((bytes[i + 4] & 0x3F) << 6) | (bytes[i + 5] & 0x3F);
                output.AddRange(Encoding.UTF8.GetBytes(char.ConvertFromUtf32(char.ConvertToUtf32((char)high, (char)low))));
                i += 5;
            }
            else
            {
                output.Add(bytes[i]);
            }
        }
        return [.. output];
    }

    private static bool IsContinuation(byte b) => (b & 0xC0) == 0x80;
}
