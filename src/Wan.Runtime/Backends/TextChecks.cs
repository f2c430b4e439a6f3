using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends;

/// <summary>The operand checks of <see cref="ITextEncoderOps"/> both backends share; each throws naming the op and the problem.</summary>
internal static class TextChecks
{
    /// <summary>
    /// table [buckets, heads], one bucket per offset key − query (queries + keys − 1 of them), each in [0, buckets):
    /// returns (buckets, heads). Checked on the host so the kernel's gather can never read outside the table.
    /// </summary>
    public static (int Buckets, int Heads) PositionBias(Tensor table, ReadOnlySpan<int> offsetBuckets, int queries, int keys)
    {
        const string op = "relative position bias";
        if (table.Shape.Rank != 2 || table.Shape[0] < 1 || table.Shape[1] < 1)
        {
            throw new ArgumentException($"{op}: table must be [buckets, heads], got {table.Shape}");
        }
        if (queries < 1 || keys < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(queries), $"{op}: need at least one query and one key, got {queries} x {keys}");
        }
        int buckets = table.Shape[0];
        long offsets = (long)queries + keys - 1;
        if (offsetBuckets.Length != offsets)
        {
            throw new ArgumentException($"{op}: {offsetBuckets.Length} offset buckets for {queries} queries and {keys} keys (need {offsets})");
        }
        for (int i = 0; i < offsetBuckets.Length; i++)
        {
            if ((uint)offsetBuckets[i] >= (uint)buckets)
            {
                throw new ArgumentOutOfRangeException(nameof(offsetBuckets), $"{op}: bucket {offsetBuckets[i]} of offset {i - (queries - 1)} is outside the table's {buckets} buckets");
            }
        }
        return (buckets, table.Shape[1]);
    }
}
