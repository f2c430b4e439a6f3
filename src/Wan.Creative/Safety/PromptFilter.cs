using System.Text;

namespace Wan.Creative.Safety;

/// <summary>
/// The prompt filter: refuses a prompt that contains a block-listed term, robust to simple evasion (see
/// <see cref="FoldedText"/>: compatibility/width folding, case, inserted spaces, punctuation and zero-width characters,
/// homoglyphs, leetspeak). Block lists are UTF-8 text files, one term per line, any language; blank lines and lines
/// starting with <c>#</c> are ignored; a trailing <c>*</c> lets a Latin term match the start of longer words
/// ("kill*" also matches "killing"). Immutable and thread-safe.
/// </summary>
public sealed class PromptFilter
{
    private PromptFilter(IReadOnlyList<BlockedTerm> terms)
    {
        Terms = terms;
    }

    /// <summary>The entries of every list loaded.</summary>
    public IReadOnlyList<BlockedTerm> Terms { get; }

    /// <summary>A filter over the block lists in <paramref name="files"/>.</summary>
    /// <exception cref="FileNotFoundException">A list does not exist.</exception>
    /// <exception cref="InvalidDataException">A list is not UTF-8, or an entry folds to nothing (e.g. only punctuation).</exception>
    public static PromptFilter Load(IEnumerable<string> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var terms = new List<BlockedTerm>();
        foreach (var file in files)
        {
            if (!File.Exists(file))
            {
                throw new FileNotFoundException($"{file}: block list not found", file);
            }
            string[] lines;
            try
            {
                lines = File.ReadAllLines(file, new UTF8Encoding(false, throwOnInvalidBytes: true));
            }
            catch (DecoderFallbackException)
            {
                throw new InvalidDataException($"{file}: a block list must be UTF-8 text");
            }
            for (int i = 0; i < lines.Length; i++)
            {
                var line = lines[i].Trim();
                if (line.Length == 0 || line.StartsWith('#'))
                {
                    continue;
                }
                terms.Add(Term(line, $"{file}:{i + 1}"));
            }
        }
        return new PromptFilter(terms);
    }

    /// <summary>A filter over <paramref name="terms"/> (written as in a list file).</summary>
    /// <exception cref="InvalidDataException">An entry folds to nothing.</exception>
    public static PromptFilter FromTerms(IEnumerable<string> terms, string source = "terms")
    {
        ArgumentNullException.ThrowIfNull(terms);
        return new PromptFilter(terms.Select((t, i) => Term(t.Trim(), $"{source}:{i + 1}")).ToList());
    }

    /// <summary>The first block-list entry <paramref name="prompt"/> contains, or null.</summary>
    public BlockedTerm? FindBlocked(string prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var folded = FoldedText.Of(prompt);
        foreach (var term in Terms)
        {
            for (int at = folded.Text.IndexOf(term.Folded, StringComparison.Ordinal); at >= 0;
                 at = folded.Text.IndexOf(term.Folded, at + 1, StringComparison.Ordinal))
            {
                var end = at + term.Folded.Length - 1;
                if (!term.WholeWords || (folded.StartsWord[at] && (term.Prefix || folded.EndsWord[end])))
                {
                    return term;
                }
            }
        }
        return null;
    }

    /// <summary>Refuses <paramref name="prompt"/> when it contains a block-listed term.</summary>
    /// <param name="prompt">The text to check.</param>
    /// <param name="what">What the text is, for the message ("prompt", "negative prompt", "expanded prompt").</param>
    /// <exception cref="PromptRefusedException">It does (the message names the term and where it is listed).</exception>
    public void Enforce(string prompt, string what = "prompt")
    {
        if (FindBlocked(prompt) is { } term)
        {
            throw new PromptRefusedException($"{what} refused by the safety filter: it contains the blocked term '{term.Term}' ({term.Source})", term);
        }
    }

    private static BlockedTerm Term(string written, string source)
    {
        var prefix = written.EndsWith('*');
        var body = prefix ? written[..^1] : written;
        var folded = FoldedText.Of(body).Text;
        if (folded.Length == 0)
        {
            throw new InvalidDataException($"{source}: block-list entry '{written}' has no letters or digits");
        }
        return new BlockedTerm(written, folded, !folded.Any(IsUnspacedScript), prefix, source);
    }

    /// <summary>Scripts written without spaces between words (CJK ideographs, kana, Hangul; astral ideographs as surrogates).</summary>
    private static bool IsUnspacedScript(char c) =>
        c is >= '\u2E80' and <= '\u9FFF' or >= '\uAC00' and <= '\uD7AF' or >= '\uF900' and <= '\uFAFF' || char.IsSurrogate(c);
}
