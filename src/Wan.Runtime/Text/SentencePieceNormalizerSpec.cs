namespace Wan.Runtime.Text;

/// <summary>
/// sentencepiece.NormalizerSpec: the rule name (e.g. nmt_nfkc), the compiled character map
/// (empty = identity) and the whitespace flags, defaults true as in the proto.
/// </summary>
public sealed record SentencePieceNormalizerSpec(
    string Name,
    byte[] PrecompiledCharsMap,
    bool AddDummyPrefix,
    bool RemoveExtraWhitespaces,
    bool EscapeWhitespaces);
