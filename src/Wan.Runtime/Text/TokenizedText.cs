namespace Wan.Runtime.Text;

/// <summary>
/// A tokenized prompt in the T5 convention: <see cref="Ids"/> are the valid ids ending with eos;
/// <see cref="Padded"/> is them right-padded with the pad id to the requested length and
/// <see cref="Mask"/> is 1 on the valid positions, 0 on padding. <see cref="Truncated"/> says the
/// text had more pieces than fit and only the first ones were kept.
/// </summary>
public sealed record TokenizedText(int[] Ids, int[] Padded, int[] Mask, bool Truncated)
{
    /// <summary>The number of valid ids (pieces + eos): the count of 1s in <see cref="Mask"/>.</summary>
    public int Length => Ids.Length;
}
