using System.Globalization;
using System.Text;

namespace Wan.Runtime.Text;

/// <summary>
/// Unicode Normalization Form C from the tables in <see cref="UnicodeData"/>: canonical
/// decomposition (recursive, Hangul algorithmic), canonical ordering of combining marks, then
/// canonical composition. Needed because this runtime runs with invariant globalization, where
/// string.Normalize does nothing.
/// </summary>
internal static class UnicodeNfc
{
    private const int HangulSBase = 0xAC00, HangulLBase = 0x1100, HangulVBase = 0x1161, HangulTBase = 0x11A7;
    private const int HangulLCount = 19, HangulVCount = 21, HangulTCount = 28;
    private const int HangulNCount = HangulVCount * HangulTCount, HangulSCount = HangulLCount * HangulNCount;

    // Every code point below U+0300 is its own NFC and never composes with what follows it.
    private const char FirstAffectedChar = '\u0300';

    private static readonly Lazy<Tables> Data = new(Tables.Load);

    public static string Normalize(string text)
    {
        var affected = false;
        foreach (var ch in text)
        {
            if (ch >= FirstAffectedChar)
            {
                affected = true;
                break;
            }
        }
        if (!affected)
        {
            return text;
        }

        var tables = Data.Value;
        var buffer = new List<int>(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            Decompose(rune.Value, buffer, tables);
        }
        Reorder(buffer, tables);
        Compose(buffer, tables);

        var result = new StringBuilder(text.Length);
        foreach (var cp in buffer)
        {
            result.Append(char.ConvertFromUtf32(cp));
        }
        return result.ToString();
    }

    private static void Decompose(int cp, List<int> output, Tables tables)
    {
        if (cp is >= HangulSBase and < HangulSBase + HangulSCount)
        {
            var index = cp - HangulSBase;
            output.Add(HangulLBase + index / HangulNCount);
            output.Add(HangulVBase + index % HangulNCount / HangulTCount);
            if (index % HangulTCount != 0)
            {
                output.Add(HangulTBase + index % HangulTCount);
            }
            return;
        }
        if (tables.Decompositions.TryGetValue(cp, out var parts))
        {
            foreach (var part in parts)
            {
                Decompose(part, output, tables);
            }
            return;
        }
        output.Add(cp);
    }

    // Stable sort of every run of non-starters by combining class.
    private static void Reorder(List<int> cps, Tables tables)
    {
        for (var i = 1; i < cps.Count; i++)
        {
            var cc = tables.CombiningClass(cps[i]);
            if (cc == 0)
            {
                continue;
            }
            var j = i;
            while (j > 0 && tables.CombiningClass(cps[j - 1]) > cc)
            {
                (cps[j - 1], cps[j]) = (cps[j], cps[j - 1]);
                j--;
            }
        }
    }

    private static void Compose(List<int> cps, Tables tables)
    {
        if (cps.Count == 0)
        {
            return;
        }
        // starter: index of the last starter that later marks may compose with (-1: none yet).
        var starter = tables.CombiningClass(cps[0]) == 0 ? 0 : -1;
        var lastClass = starter == 0 ? 0 : 256;
        var write = 1;
        for (var read = 1; read < cps.Count; read++)
        {
            var cp = cps[read];
            var cc = tables.CombiningClass(cp);
            var composite = starter < 0 ? -1 : ComposePair(cps[starter], cp, tables);
            if (composite >= 0 && (lastClass < cc || lastClass == 0))
            {
                cps[starter] = composite;
                continue;
            }
            if (cc == 0)
            {
                starter = write;
            }
            lastClass = cc;
            cps[write++] = cp;
        }
        cps.RemoveRange(write, cps.Count - write);
    }

    private static int ComposePair(int first, int second, Tables tables)
    {
        if (first is >= HangulLBase and < HangulLBase + HangulLCount && second is >= HangulVBase and < HangulVBase + HangulVCount)
        {
            return HangulSBase + ((first - HangulLBase) * HangulVCount + second - HangulVBase) * HangulTCount;
        }
        if (first is >= HangulSBase and < HangulSBase + HangulSCount && (first - HangulSBase) % HangulTCount == 0
            && second is > HangulTBase and < HangulTBase + HangulTCount)
        {
            return first + second - HangulTBase;
        }
        return tables.Compositions.TryGetValue(((long)first << 21) | (uint)second, out var composite) ? composite : -1;
    }

    private sealed class Tables
    {
        public Dictionary<int, int[]> Decompositions { get; } = [];
        public Dictionary<long, int> Compositions { get; } = [];
        public Dictionary<int, int> CombiningClasses { get; } = [];

        public int CombiningClass(int cp) => CombiningClasses.TryGetValue(cp, out var cc) ? cc : 0;

        public static Tables Load()
        {
            var tables = new Tables();
            foreach (var entry in UnicodeData.Decompositions.Split(';', StringSplitOptions.RemoveEmptyEntries))
            {
                var separator = entry.IndexOfAny(['=', '*']);
                var cp = Hex(entry[..separator]);
                var parts = entry[(separator + 1)..].Split(' ').Select(Hex).ToArray();
                tables.Decompositions[cp] = parts;
                if (entry[separator] == '*')
                {
                    tables.Compositions[((long)parts[0] << 21) | (uint)parts[1]] = cp;
                }
            }
            foreach (var entry in UnicodeData.CombiningClasses.Split(';', StringSplitOptions.RemoveEmptyEntries))
            {
                var fields = entry.Split(' ');
                var cc = int.Parse(fields[2], CultureInfo.InvariantCulture);
                for (var cp = Hex(fields[0]); cp <= Hex(fields[1]); cp++)
                {
                    tables.CombiningClasses[cp] = cc;
                }
            }
            return tables;
        }

        private static int Hex(string s) => int.Parse(s, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
    }
}
