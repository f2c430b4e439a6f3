namespace Wan.Runtime.Text;

/// <summary>
/// sentencepiece's normalizer on UTF-8 bytes: user-defined pieces are copied verbatim, otherwise
/// the longest rule of the precompiled charsmap is applied (no rule: one character is copied, a
/// malformed byte becomes U+FFFD); leading, trailing and repeated spaces are dropped
/// (remove_extra_whitespaces), one space is prepended (add_dummy_prefix) and spaces become U+2581
/// (escape_whitespaces).
/// </summary>
internal sealed class SentencePieceNormalizer
{
    public static ReadOnlySpan<byte> SpaceSymbol => "\u2581"u8;

    private static readonly byte[] ReplacementCharacter = [0xEF, 0xBF, 0xBD];

    private readonly SentencePieceNormalizerSpec spec;
    private readonly bool treatWhitespaceAsSuffix;
    private readonly PrecompiledCharsMap? charsMap;
    private readonly PieceTrie? userDefined;

    public SentencePieceNormalizer(SentencePieceNormalizerSpec spec, bool treatWhitespaceAsSuffix, PieceTrie? userDefinedPieces)
    {
        this.spec = spec;
        this.treatWhitespaceAsSuffix = treatWhitespaceAsSuffix;
        charsMap = spec.PrecompiledCharsMap.Length == 0 ? null : new PrecompiledCharsMap(spec.PrecompiledCharsMap);
        userDefined = userDefinedPieces;
    }

    public byte[] Normalize(ReadOnlySpan<byte> input)
    {
        if (spec.RemoveExtraWhitespaces)
        {
            while (!input.IsEmpty)
            {
                var replacement = NormalizePrefix(input, out var consumed);
                if (!replacement.SequenceEqual(" "u8))
                {
                    break;
                }
                input = input[consumed..];
            }
        }
        if (input.IsEmpty)
        {
            return [];
        }

        var output = new List<byte>(input.Length * 3);
        if (!treatWhitespaceAsSuffix && spec.AddDummyPrefix)
        {
            AppendSpace(output);
        }
        var isPrevSpace = spec.RemoveExtraWhitespaces;
        while (!input.IsEmpty)
        {
            var piece = NormalizePrefix(input, out var consumed);
            while (isPrevSpace && !piece.IsEmpty && piece[0] == (byte)' ')
            {
                piece = piece[1..];
            }
            if (!piece.IsEmpty)
            {
                foreach (var b in piece)
                {
                    if (b == (byte)' ' && spec.EscapeWhitespaces)
                    {
                        output.AddRange(SpaceSymbol);
                    }
                    else
                    {
                        output.Add(b);
                    }
                }
                isPrevSpace = piece[^1] == (byte)' ';
            }
            input = input[consumed..];
            if (!spec.RemoveExtraWhitespaces)
            {
                isPrevSpace = false;
            }
        }

        if (spec.RemoveExtraWhitespaces)
        {
            var space = spec.EscapeWhitespaces ? SpaceSymbol : " "u8;
            while (EndsWith(output, space))
            {
                output.RemoveRange(output.Count - space.Length, space.Length);
            }
        }
        if (treatWhitespaceAsSuffix && spec.AddDummyPrefix)
        {
            AppendSpace(output);
        }
        return [.. output];
    }

    /// <summary>The normalized form of the start of <paramref name="input"/> and how many bytes it replaces.</summary>
    private ReadOnlySpan<byte> NormalizePrefix(ReadOnlySpan<byte> input, out int consumed)
    {
        if (userDefined is not null)
        {
            var (length, _) = userDefined.LongestPrefix(input);
            if (length > 0)
            {
                consumed = length;
                return input[..length];
            }
        }
        if (charsMap is not null)
        {
            var (ruleLength, replacement) = charsMap.Match(input);
            if (ruleLength > 0)
            {
                consumed = ruleLength;
                return replacement.Span;
            }
        }
        var charLength = Utf8.ValidCharLength(input);
        consumed = Math.Max(charLength, 1);
        return charLength > 0 ? input[..charLength] : ReplacementCharacter;
    }

    private void AppendSpace(List<byte> output)
    {
        if (spec.EscapeWhitespaces)
        {
            output.AddRange(SpaceSymbol);
        }
        else
        {
            output.Add((byte)' ');
        }
    }

    private static bool EndsWith(List<byte> output, ReadOnlySpan<byte> suffix)
    {
        if (output.Count < suffix.Length)
        {
            return false;
        }
        for (var i = 0; i < suffix.Length; i++)
        {
            if (output[output.Count - suffix.Length + i] != suffix[i])
            {
                return false;
            }
        }
        return true;
    }
}
