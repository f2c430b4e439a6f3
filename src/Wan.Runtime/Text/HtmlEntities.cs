using System.Globalization;
using System.Text.RegularExpressions;

namespace Wan.Runtime.Text;

/// <summary>
/// HTML character references, decoded two ways: <see cref="PythonUnescape"/> behaves like Python's
/// html.unescape (HTML5 rules: legacy names without ';' match as prefixes, numeric references to
/// C1 bytes read as Windows-1252, invalid code points dropped or replaced), and
/// <see cref="FtfyUnescape"/> like ftfy's unescape_html (only complete '&amp;name;' / '&amp;#n;'
/// references, plus all-caps spellings of lower-case names).
/// </summary>
internal static partial class HtmlEntities
{
    private static readonly Lazy<Dictionary<string, string>> Html5 = new(() =>
    {
        // Keys as Python's html.entities.html5 spells them: "amp;" and the legacy "amp".
        var table = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in Parse(HtmlEntityData.Entries))
        {
            table[name.EndsWith('!') ? name[..^1] : name + ";"] = value;
        }
        return table;
    });

    private static readonly Lazy<Dictionary<string, string>> FtfyTable = new(() =>
    {
        var table = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in Html5.Value)
        {
            if (name.EndsWith(';'))
            {
                table["&" + name] = value;
            }
        }
        foreach (var (name, value) in Parse(HtmlEntityData.UppercaseVariants))
        {
            table["&" + name + ";"] = value;
        }
        return table;
    });

    [GeneratedRegex("&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)", RegexOptions.CultureInvariant)]
    private static partial Regex CharacterReference();

    [GeneratedRegex("&#?[0-9A-Za-z]{1,24};", RegexOptions.CultureInvariant)]
    private static partial Regex FtfyEntity();

    /// <summary>Python's html.unescape.</summary>
    public static string PythonUnescape(string text) =>
        text.Contains('&') ? CharacterReference().Replace(text, m => ReplaceReference(m.Groups[1].Value)) : text;

    /// <summary>ftfy's unescape_html: complete references only; a numeric one must consume its ';'.</summary>
    public static string FtfyUnescape(string text) => FtfyEntity().Replace(text, m =>
    {
        var entity = m.Value;
        if (FtfyTable.Value.TryGetValue(entity, out var value))
        {
            return value;
        }
        if (entity.StartsWith("&#", StringComparison.Ordinal))
        {
            var unescaped = PythonUnescape(entity);
            return unescaped.Contains(';') ? entity : unescaped;
        }
        return entity;
    });

    private static string ReplaceReference(string reference)
    {
        if (reference[0] == '#')
        {
            return NumericReference(reference);
        }
        var html5 = Html5.Value;
        if (html5.TryGetValue(reference, out var value))
        {
            return value;
        }
        for (var length = reference.Length - 1; length > 1; length--)
        {
            if (html5.TryGetValue(reference[..length], out var prefix))
            {
                return prefix + reference[length..];
            }
        }
        return "&" + reference;
    }

    private static string NumericReference(string reference)
    {
        var hex = reference[1] is 'x' or 'X';
        var digits = reference[(hex ? 2 : 1)..].TrimEnd(';');
        var style = hex ? NumberStyles.AllowHexSpecifier : NumberStyles.None;
        // Anything that does not fit a long is far beyond U+10FFFF, which is all that matters.
        var number = long.TryParse(digits, style, CultureInfo.InvariantCulture, out var n) ? n : long.MaxValue;
        if (number == 0x00)
        {
            return "\uFFFD";
        }
        if (number == 0x0D)
        {
            return "\r";
        }
        if (number is >= 0x80 and <= 0x9F)
        {
            return SingleByteCodePage.SloppyWindows1252.Decode((byte)number).ToString();
        }
        if (number is >= 0xD800 and <= 0xDFFF || number > 0x10FFFF)
        {
            return "\uFFFD";
        }
        if (IsInvalidCodePoint((int)number))
        {
            return "";
        }
        return char.ConvertFromUtf32((int)number);
    }

    // The code points html.unescape drops: C0 controls other than whitespace, DEL, C1 controls,
    // and the Unicode noncharacters.
    private static bool IsInvalidCodePoint(int c) =>
        c is >= 0x01 and <= 0x08 or 0x0B or >= 0x0E and <= 0x1F or >= 0x7F and <= 0x9F or >= 0xFDD0 and <= 0xFDEF
        || (c & 0xFFFE) == 0xFFFE;

    private static IEnumerable<(string Name, string Value)> Parse(string entries)
    {
        foreach (var entry in entries.Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = entry.IndexOf('=');
            yield return (entry[..eq], entry[(eq + 1)..]);
        }
    }
}
