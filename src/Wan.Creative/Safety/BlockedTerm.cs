namespace Wan.Creative.Safety;

/// <summary>One entry of a block list.</summary>
/// <param name="Term">The term as written in the list.</param>
/// <param name="Folded">The term folded like a prompt (<see cref="FoldedText"/>).</param>
/// <param name="WholeWords">
/// True for terms of scripts written with spaces (Latin, Cyrillic, ...): a match must begin at the start of a word and,
/// unless <see cref="Prefix"/>, end at the end of one. False for Chinese, Japanese and Korean terms, which match anywhere.
/// </param>
/// <param name="Prefix">The list wrote the term with a trailing <c>*</c>: it may end inside a word.</param>
/// <param name="Source">Where it was written: <c>FILE:LINE</c>.</param>
public sealed record BlockedTerm(string Term, string Folded, bool WholeWords, bool Prefix, string Source);
