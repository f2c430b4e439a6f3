using System.Text;

namespace Wan.Runtime.Text;

/// <summary>
/// The prompt cleaning of Wan's HuggingfaceTokenizer with clean='whitespace': ftfy.fix_text
/// (<see cref="FtfyTextFixer"/>), Python's html.unescape twice, strip, every run of Unicode
/// whitespace (White_Space, as the regex module's \s; includes U+00A0 and U+3000) to one space,
/// strip (both strips as Python's str.strip, which also removes U+001C..U+001F).
/// </summary>
public static class WanPromptCleaner
{
    /// <summary>
    /// Cleans a prompt as Wan's <c>wan/modules/tokenizers.py</c> (HuggingfaceTokenizer._clean with
    /// clean='whitespace': basic_clean then whitespace_clean) before tokenizing.
    /// </summary>
    /// <returns>The cleaned text; empty when the prompt is only whitespace.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="prompt"/> is null.</exception>
    public static string Clean(string prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var text = FtfyTextFixer.FixText(prompt);
        text = HtmlEntities.PythonUnescape(HtmlEntities.PythonUnescape(text));
        return CollapseWhitespace(PythonStrip(text));
    }

    private static string CollapseWhitespace(string text)
    {
        var output = new StringBuilder(text.Length);
        var inRun = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                if (!inRun)
                {
                    output.Append(' ');
                }
                inRun = true;
            }
            else
            {
                output.Append(c);
                inRun = false;
            }
        }
        return PythonStrip(output.ToString());
    }

    /// <summary>Python's str.strip(): White_Space and the separators U+001C..U+001F.</summary>
    private static string PythonStrip(string text)
    {
        var start = 0;
        var end = text.Length;
        while (start < end && IsPythonSpace(text[start]))
        {
            start++;
        }
        while (end > start && IsPythonSpace(text[end - 1]))
        {
            end--;
        }
        return text[start..end];
    }

    private static bool IsPythonSpace(char c) => char.IsWhiteSpace(c) || c is >= '\u001C' and <= '\u001F';
}
