namespace Wan.Creative.Templates;

/// <summary>The language a template's wording is chosen for.</summary>
public enum PromptLanguage
{
    /// <summary>English (any prompt without CJK ideographs).</summary>
    English,

    /// <summary>Chinese (a prompt with at least one CJK ideograph).</summary>
    Chinese,
}

/// <summary>Which wording a prompt needs.</summary>
public static class PromptLanguages
{
    /// <summary>Chinese when <paramref name="prompt"/> holds a CJK unified ideograph (U+3400–U+9FFF, U+F900–U+FAFF, U+20000–U+3134F), else English.</summary>
    public static PromptLanguage Detect(string prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        foreach (var rune in prompt.EnumerateRunes())
        {
            var v = rune.Value;
            if (v is >= 0x3400 and <= 0x9FFF or >= 0xF900 and <= 0xFAFF or >= 0x20000 and <= 0x3134F)
            {
                return PromptLanguage.Chinese;
            }
        }
        return PromptLanguage.English;
    }
}
