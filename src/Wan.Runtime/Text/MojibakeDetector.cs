using System.Text.RegularExpressions;
using C = Wan.Runtime.Text.MojibakeCategoryData;

namespace Wan.Runtime.Text;

/// <summary>
/// ftfy 6.3.1's "is_bad" heuristic: text looks like mojibake when it contains a C1 control or one
/// of the character sequences that are far likelier to come from UTF-8 decoded in a single-byte
/// encoding than from real writing (an accented letter followed by a currency sign, box drawing
/// next to accented letters, 'Ã' followed by a space, ...). The character groups are in
/// <see cref="MojibakeCategoryData"/>; each line of the pattern below is one such rule.
/// </summary>
internal static class MojibakeDetector
{
    private static readonly string[] Rules =
    [
        $"[{C.C1}]",
        $"[{C.Bad}{C.LowerAccented}{C.UpperAccented}{C.Box}{C.StartPunctuation}{C.EndPunctuation}{C.Currency}{C.Numeric}{C.Law}][{C.Bad}]",
        $"[a-zA-Z][{C.LowerCommon}{C.UpperCommon}][{C.Bad}]",
        $"[{C.Bad}][{C.LowerAccented}{C.UpperAccented}{C.Box}{C.StartPunctuation}{C.EndPunctuation}{C.Currency}{C.Numeric}{C.Law}]",
        $"[{C.LowerAccented}{C.LowerCommon}{C.Box}{C.EndPunctuation}{C.Currency}{C.Numeric}][{C.UpperAccented}]",
        $"[{C.Box}{C.EndPunctuation}{C.Currency}{C.Numeric}][{C.LowerAccented}]",
        $"[{C.LowerAccented}{C.Box}{C.EndPunctuation}][{C.Currency}]",
        $"\\s[{C.UpperAccented}][{C.Currency}]",
        $"[{C.UpperAccented}{C.Box}][{C.Numeric}{C.Law}]",
        $"[{C.LowerAccented}{C.UpperAccented}{C.Box}{C.Currency}{C.EndPunctuation}][{C.StartPunctuation}][{C.Numeric}]",
        $"[{C.LowerAccented}{C.UpperAccented}{C.Currency}{C.Numeric}{C.Box}{C.Law}][{C.EndPunctuation}][{C.StartPunctuation}]",
        $"[{C.Currency}{C.Numeric}{C.Box}][{C.StartPunctuation}]",
        $"[a-z][{C.UpperAccented}][{C.StartPunctuation}{C.Currency}]",
        $"[{C.Box}][{C.Kaomoji}]",
        $"[{C.LowerAccented}{C.UpperAccented}{C.Currency}{C.Numeric}{C.StartPunctuation}{C.EndPunctuation}{C.Law}][{C.Box}]",
        $"[{C.Box}][{C.EndPunctuation}]",
        $"[{C.LowerAccented}{C.UpperAccented}][{C.StartPunctuation}{C.EndPunctuation}]\\w",
        // Windows-1252 renderings of UTF-8 lead bytes followed by typical continuation characters.
        "[\u0152\u0153][^A-Za-z]",
        $"[{C.UpperAccented}]\u00B0",
        $"[\u00C2\u00C3\u00CE\u00D0][\u20AC\u0153\u0160\u0161\u00A2\u00A3\u0178\u017E\u00A0\u00AD\u00AE\u00A9\u00B0\u00B7\u00BB{C.StartPunctuation}{C.EndPunctuation}\u2013\u2014\u00B4]",
        "\u00D7[\u00B2\u00B3]",
        $"[\u00D8\u00D9][{C.Common}{C.Currency}{C.Bad}{C.Numeric}{C.StartPunctuation}\u0178\u0160\u00AE\u00B0\u00B5\u00BB]"
            + $"[\u00D8\u00D9][{C.Common}{C.Currency}{C.Bad}{C.Numeric}{C.StartPunctuation}\u0178\u0160\u00AE\u00B0\u00B5\u00BB]",
        "\u00E0[\u00B2\u00B5\u00B9\u00BC\u00BD\u00BE]",
        // Mac Roman renderings.
        "\u221A[\u00B1\u2202\u2020\u2260\u00AE\u2122\u00B4\u2264\u2265\u00A5\u00B5\u00F8]",
        "\u2248[\u00B0\u00A2]",
        "\u201A\u00C4[\u00EC\u00EE\u00EF\u00F2\u00F4\u00FA\u00F9\u00FB\u2020\u00B0\u00A2\u03C0]",
        "\u201A[\u00E2\u00F3][\u00E0\u00E4\u00B0\u00EA]",
        // Windows-1251 renderings.
        "\u0432\u0402",
        $"[\u0412\u0413\u0420\u0421][{C.C1}{C.Bad}{C.StartPunctuation}{C.EndPunctuation}{C.Currency}\u00B0\u00B5][\u0412\u0413\u0420\u0421]",
        "\u0413\u045E\u0412\u0402\u0412.[A-Za-z ]",
        // Latin-1 renderings where the no-break space after the lead byte became a plain space.
        "\u00C3[\u00A0\u00A1]",
        "[a-z]\\s?[\u00C3\u00C2][ ]",
        "^[\u00C3\u00C2][ ]",
        $"[a-z.,?!{C.EndPunctuation}]\u00C2[ {C.StartPunctuation}{C.EndPunctuation}]",
        // Windows-1253 and Windows-1257 renderings.
        "\u03B2\u20AC[\u2122\u00A0\u0386\u00AD\u00AE\u00B0]",
        $"[\u0392\u0393\u039E\u039F][{C.C1}{C.Bad}{C.StartPunctuation}{C.EndPunctuation}{C.Currency}\u00B0][\u0392\u0393\u039E\u039F]",
        "\u0101\u20AC",
    ];

    private static readonly Regex Badness = new(string.Join("|", Rules), RegexOptions.CultureInvariant | RegexOptions.Compiled);

    public static bool IsBad(string text) => Badness.IsMatch(text);
}
