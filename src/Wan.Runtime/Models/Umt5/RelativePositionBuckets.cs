namespace Wan.Runtime.Models.Umt5;

/// <summary>
/// The bidirectional relative-position buckets of T5/umT5 (wan/modules/t5.py,
/// <c>T5RelativeEmbedding._relative_position_bucket</c>): one half of the buckets per direction,
/// small distances resolved exactly, larger ones on a log scale up to max_distance.
/// </summary>
public static class RelativePositionBuckets
{
    /// <summary>
    /// Bucket of <paramref name="relativePosition"/> = key index − query index. With n = buckets/2 and
    /// e = n/2: (rel &gt; 0)·n + (|rel| &lt; e ? |rel| : min(n − 1, e + ⌊log(|rel|/e) / log(max_distance/e) · (n − e)⌋)).
    /// </summary>
    public static int Bucket(int relativePosition, int numBuckets, int maxDistance)
    {
        int half = numBuckets / 2, exact = half / 2;
        if (exact < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(numBuckets), $"bidirectional relative-position buckets need at least 4 buckets, got {numBuckets}");
        }
        if (maxDistance <= exact)
        {
            throw new ArgumentOutOfRangeException(nameof(maxDistance), $"max_distance {maxDistance} must exceed the exactly-resolved range of {exact}");
        }
        int bucket = relativePosition > 0 ? half : 0;
        int distance = Math.Abs(relativePosition);
        if (distance < exact)
        {
            return bucket + distance;
        }
        // float32 log as the official code computes it (a float32 tensor times a Python float stays
        // float32); the quotient is positive, so truncation is the .long() of the original.
        float scaled = MathF.Log((float)distance / exact) / (float)Math.Log((double)maxDistance / exact) * (half - exact);
        return bucket + Math.Min(half - 1, exact + (int)scaled);
    }

    /// <summary>
    /// Buckets of every offset key − query a [queries, keys] score matrix can hold, indexed by
    /// offset + queries − 1 (offsets −(queries−1) .. keys−1): the bias only depends on the offset.
    /// </summary>
    public static int[] ForOffsets(int queries, int keys, int numBuckets, int maxDistance)
    {
        if (queries < 1 || keys < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(queries), $"need at least one query and one key, got {queries} x {keys}");
        }
        var buckets = new int[queries + keys - 1];
        for (int i = 0; i < buckets.Length; i++)
        {
            buckets[i] = Bucket(i - (queries - 1), numBuckets, maxDistance);
        }
        return buckets;
    }
}
