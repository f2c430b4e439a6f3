using System.Globalization;
using System.Text;

namespace Wan.Creative.Safety;

/// <summary>
/// Text reduced to what a block list compares: the letters and digits left after compatibility folding (NFKD without
/// combining marks, which covers NFKC's full-width/half-width, ligature, circled and mathematical forms and strips
/// accents), lower-casing, and mapping common homoglyphs (Cyrillic and Greek look-alikes, leetspeak digits and
/// <c>@</c>/<c>$</c>) to Latin letters. Everything else — spaces, punctuation, zero-width characters — is dropped, so
/// "K.I.L.L", "ｋｉｌｌ" and "kіll" (Cyrillic і) all fold to "kill". For each kept character it records whether it
/// starts or ends a run of letters in the original text, so a Latin term can be required to match whole words.
/// </summary>
internal sealed class FoldedText
{
    private static readonly Lazy<Dictionary<int, string>> Compatibility = new(LoadCompatibility);

    /// <summary>Look-alikes of Latin letters (after lower-casing) and leetspeak.</summary>
    private static readonly Dictionary<char, char> Homoglyphs = new()
    {
        // Cyrillic
        ['а'] = 'a', ['в'] = 'b', ['е'] = 'e', ['ё'] = 'e', ['к'] = 'k', ['м'] = 'm', ['н'] = 'h', ['о'] = 'o', ['р'] = 'p',
        ['с'] = 'c', ['т'] = 't', ['у'] = 'y', ['х'] = 'x', ['ѕ'] = 's', ['і'] = 'i', ['ї'] = 'i', ['ј'] = 'j', ['ԁ'] = 'd',
        ['ԛ'] = 'q', ['ԝ'] = 'w', ['һ'] = 'h', ['ɑ'] = 'a', ['ɡ'] = 'g', ['ı'] = 'i',
        // Greek
        ['α'] = 'a', ['β'] = 'b', ['ε'] = 'e', ['η'] = 'n', ['ι'] = 'i', ['κ'] = 'k', ['ν'] = 'v', ['ο'] = 'o', ['ρ'] = 'p',
        ['τ'] = 't', ['υ'] = 'u', ['χ'] = 'x', ['ω'] = 'w',
        // leetspeak
        ['0'] = 'o', ['1'] = 'i', ['3'] = 'e', ['4'] = 'a', ['5'] = 's', ['7'] = 't', ['@'] = 'a', ['$'] = 's',
    };

    private FoldedText(string text, List<int> origins, List<bool> starts, List<bool> ends)
    {
        Text = text;
        Origins = origins;
        StartsWord = starts;
        EndsWord = ends;
    }

    /// <summary>The folded letters and digits.</summary>
    public string Text { get; }

    /// <summary>For each character of <see cref="Text"/>, the index in the original string it came from.</summary>
    public IReadOnlyList<int> Origins { get; }

    /// <summary>For each character of <see cref="Text"/>, whether it begins a run of letters in the original.</summary>
    public IReadOnlyList<bool> StartsWord { get; }

    /// <summary>For each character of <see cref="Text"/>, whether it ends a run of letters in the original.</summary>
    public IReadOnlyList<bool> EndsWord { get; }

    /// <summary>Folds <paramref name="original"/>.</summary>
    public static FoldedText Of(string original)
    {
        ArgumentNullException.ThrowIfNull(original);
        var table = Compatibility.Value;
        var text = new StringBuilder(original.Length);
        List<int> origins = [];
        List<bool> starts = [], ends = [];
        bool previousKept = false;
        int index = 0;
        foreach (var rune in original.EnumerateRunes())
        {
            var expanded = table.TryGetValue(rune.Value, out var folded) ? folded : rune.ToString();
            foreach (var c in expanded)
            {
                var lower = char.ToLowerInvariant(c);
                var mapped = Homoglyphs.TryGetValue(lower, out var latin) ? latin : lower;
                if (char.IsLetterOrDigit(mapped))
                {
                    text.Append(mapped);
                    origins.Add(index);
                    starts.Add(!previousKept);
                    ends.Add(false);
                    previousKept = true;
                }
                else if (char.GetUnicodeCategory(mapped) is not (UnicodeCategory.Format or UnicodeCategory.NonSpacingMark))
                {
                    // A separator ends the word; zero-width characters and stray marks do not (they are evasion, not spacing).
                    if (previousKept)
                    {
                        ends[^1] = true;
                    }
                    previousKept = false;
                }
            }
            index += rune.Utf16SequenceLength;
        }
        if (previousKept)
        {
            ends[^1] = true;
        }
        return new FoldedText(text.ToString(), origins, starts, ends);
    }

    private static Dictionary<int, string> LoadCompatibility()
    {
        var map = new Dictionary<int, string>(8192);
        foreach (var entry in Data.FoldingData.Table.Split('\u0002', StringSplitOptions.RemoveEmptyEntries))
        {
            var cut = entry.IndexOf('\u0001');
            map[char.ConvertToUtf32(entry, 0)] = entry[(cut + 1)..];
        }
        return map;
    }
}
