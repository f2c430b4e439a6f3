namespace Wan.Runtime.Text;

/// <summary>UTF-8 character boundaries as sentencepiece computes them.</summary>
internal static class Utf8
{
    /// <summary>
    /// Length of the character a lead byte announces (1 for ASCII and stray continuation bytes),
    /// sentencepiece's OneCharLen; the segmenter steps through the text by this.
    /// </summary>
    public static int LeadLength(byte lead) => (lead >> 4) switch
    {
        < 0xC => 1,
        0xC or 0xD => 2,
        0xE => 3,
        _ => 4,
    };

    /// <summary>Length of the well-formed UTF-8 character at the start of <paramref name="text"/>, or 0 if it is malformed.</summary>
    public static int ValidCharLength(ReadOnlySpan<byte> text)
    {
        var status = System.Text.Rune.DecodeFromUtf8(text, out _, out var consumed);
        return status == System.Buffers.OperationStatus.Done ? consumed : 0;
    }
}
