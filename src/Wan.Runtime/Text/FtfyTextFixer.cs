using System.Text;
using System.Text.RegularExpressions;

namespace Wan.Runtime.Text;

/// <summary>
/// ftfy 6.3.1's fix_text with its default configuration, as far as prompts need it. The text is
/// fixed line by line (each segment ends after its '\n'); each segment is fixed repeatedly until
/// a whole pass changes nothing. One pass, in ftfy's order:
/// <list type="number">
/// <item>unescape_html: complete HTML entities ('&amp;amp;', '&amp;eacute;', '&amp;EACUTE;', '&amp;#39;') are decoded,
/// but not in a segment that contains '&lt;' nor in any segment after one (the text may be HTML);</item>
/// <item>fix_encoding: mojibake repair, see <see cref="MojibakeRepair"/> for the parts implemented
/// (restore_byte_a0, replace_lossy_sequences and decode_inconsistent_utf8 are not);</item>
/// <item>fix_c1_controls: U+0080..U+009F read as Windows-1252;</item>
/// <item>fix_latin_ligatures: ﬁ -> fi, ĳ -> ij, Ǆ -> DŽ, ...;</item>
/// <item>fix_character_width: full-width ASCII and half-width katakana/Hangul to their normal
/// forms (NFKC of U+FF01..U+FFEF), U+3000 -> space;</item>
/// <item>uncurl_quotes: U+2018..U+201B and U+02BC -> ', U+201C..U+201F -> ";</item>
/// <item>fix_line_breaks: \r\n, \r, U+2028, U+2029, U+0085 -> \n;</item>
/// <item>fix_surrogates: unpaired surrogates -> U+FFFD (paired ones are already one character here);</item>
/// <item>remove_terminal_escapes: ANSI "ESC [ digits/; letter" sequences removed;</item>
/// <item>remove_control_chars: U+0000..U+0008, U+000B, U+000E..U+001F, U+007F, U+206A..U+206F,
/// U+FEFF, U+FFF9..U+FFFC removed;</item>
/// <item>NFC normalization (<see cref="UnicodeNfc"/>).</item>
/// </list>
/// Not implemented: the non-default fixers (decode_escapes, remove_bom as a separate step, NFKC).
/// </summary>
internal static partial class FtfyTextFixer
{
    private static readonly Lazy<Dictionary<char, string>> WidthForms = new(() =>
    {
        var map = new Dictionary<char, string>();
        foreach (var entry in UnicodeData.WidthForms.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = entry.IndexOf('=');
            var from = (char)Convert.ToInt32(entry[..eq], 16);
            map[from] = string.Concat(entry[(eq + 1)..].Split(' ').Select(h => char.ConvertFromUtf32(Convert.ToInt32(h, 16))));
        }
        return map;
    });

    [GeneratedRegex("\u001b\\[((?:\\d|;)*)([a-zA-Z])", RegexOptions.CultureInvariant)]
    private static partial Regex TerminalEscape();

    public static string FixText(string text)
    {
        var output = new StringBuilder(text.Length);
        var unescapeHtml = true;
        var position = 0;
        while (position < text.Length)
        {
            var newline = text.IndexOf('\n', position);
            var end = newline < 0 ? text.Length : newline + 1;
            var segment = text[position..end];
            if (segment.Contains('<'))
            {
                unescapeHtml = false;
            }
            output.Append(FixSegment(segment, unescapeHtml));
            position = end;
        }
        return output.ToString();
    }

    private static string FixSegment(string text, bool unescapeHtml)
    {
        while (true)
        {
            var original = text;
            if (unescapeHtml)
            {
                text = HtmlEntities.FtfyUnescape(text);
            }
            text = MojibakeRepair.Fix(text);
            text = MojibakeRepair.FixC1Controls(text);
            text = FixLatinLigatures(text);
            text = FixCharacterWidth(text);
            text = UncurlQuotes(text);
            text = FixLineBreaks(text);
            text = FixSurrogates(text);
            text = TerminalEscape().Replace(text, "");
            text = RemoveControlChars(text);
            text = UnicodeNfc.Normalize(text);
            if (text == original)
            {
                return text;
            }
        }
    }

    private static string FixLatinLigatures(string text) => MapChars(text, c => c switch
    {
        '\u0132' => "IJ",
        '\u0133' => "ij",
        '\u0149' => "\u02BCn",
        '\u01F1' => "DZ",
        '\u01F2' => "Dz",
        '\u01F3' => "dz",
        '\u01C4' => "D\u017D",
        '\u01C5' => "D\u017E",
        '\u01C6' => "d\u017E",
        '\u01C7' => "LJ",
        '\u01C8' => "Lj",
        '\u01C9' => "lj",
        '\u01CA' => "NJ",
        '\u01CB' => "Nj",
        '\u01CC' => "nj",
        '\uFB00' => "ff",
        '\uFB01' => "fi",
        '\uFB02' => "fl",
        '\uFB03' => "ffi",
        '\uFB04' => "ffl",
        '\uFB05' => "\u017Ft",
        '\uFB06' => "st",
        _ => null,
    });

    private static string FixCharacterWidth(string text) =>
        MapChars(text, c => WidthForms.Value.TryGetValue(c, out var normal) ? normal : null);

    private static string UncurlQuotes(string text) => MapChars(text, c => c switch
    {
        '\u02BC' or (>= '\u2018' and <= '\u201B') => "'",
        >= '\u201C' and <= '\u201F' => "\"",
        _ => null,
    });

    private static string FixLineBreaks(string text) =>
        text.Replace("\r\n", "\n").Replace('\r', '\n').Replace('\u2028', '\n').Replace('\u2029', '\n').Replace('\u0085', '\n');

    private static string FixSurrogates(string text)
    {
        var chars = text.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (char.IsHighSurrogate(chars[i]) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(chars[i]))
            {
                chars[i] = '\uFFFD';
            }
        }
        return new string(chars);
    }

    private static string RemoveControlChars(string text) => MapChars(text, c =>
        c is <= '\u0008' or '\u000B' or (>= '\u000E' and <= '\u001F') or '\u007F' or (>= '\u206A' and <= '\u206F')
            or '\uFEFF' or (>= '\uFFF9' and <= '\uFFFC')
            ? ""
            : null);

    /// <summary>Replaces every character the map returns a string for; null keeps the character.</summary>
    private static string MapChars(string text, Func<char, string?> map)
    {
        StringBuilder? output = null;
        for (var i = 0; i < text.Length; i++)
        {
            var replacement = map(text[i]);
            if (replacement is null)
            {
                output?.Append(text[i]);
                continue;
            }
            output ??= new StringBuilder(text.Length).Append(text, 0, i);
            output.Append(replacement);
        }
        return output?.ToString() ?? text;
    }
}
