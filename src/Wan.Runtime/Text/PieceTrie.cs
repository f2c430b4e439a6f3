namespace Wan.Runtime.Text;

/// <summary>
/// Byte-level trie over UTF-8 pieces, laid out breadth-first so that the children of a node are
/// contiguous and sorted by label (binary search per step). Built once from the sorted keys in
/// time linear in their total length; walking it byte by byte from a text position meets every
/// piece that starts there, shortest first.
/// </summary>
internal sealed class PieceTrie
{
    private readonly byte[] labels;
    private readonly int[] firstChild;
    private readonly int[] childCount;
    private readonly int[] values;

    public PieceTrie(IEnumerable<(byte[] Key, int Value)> entries)
    {
        var sorted = entries.ToArray();
        Array.Sort(sorted, (a, b) => a.Key.AsSpan().SequenceCompareTo(b.Key));
        for (var i = 1; i < sorted.Length; i++)
        {
            if (sorted[i].Key.AsSpan().SequenceEqual(sorted[i - 1].Key))
            {
                throw new ArgumentException($"duplicate trie key (values {sorted[i - 1].Value} and {sorted[i].Value})", nameof(entries));
            }
        }

        var labelList = new List<byte> { 0 };
        var firstList = new List<int> { 0 };
        var countList = new List<int> { 0 };
        var valueList = new List<int> { -1 };
        var queue = new Queue<(int Node, int Lo, int Hi, int Depth)>();
        queue.Enqueue((RootNode, 0, sorted.Length, 0));
        while (queue.Count > 0)
        {
            var (node, lo, hi, depth) = queue.Dequeue();
            if (lo < hi && sorted[lo].Key.Length == depth)
            {
                valueList[node] = sorted[lo].Value;
                lo++;
            }
            firstList[node] = labelList.Count;
            var i = lo;
            while (i < hi)
            {
                var label = sorted[i].Key[depth];
                var j = i + 1;
                while (j < hi && sorted[j].Key[depth] == label)
                {
                    j++;
                }
                var child = labelList.Count;
                labelList.Add(label);
                firstList.Add(0);
                countList.Add(0);
                valueList.Add(-1);
                queue.Enqueue((child, i, j, depth + 1));
                i = j;
            }
            countList[node] = labelList.Count - firstList[node];
        }
        labels = [.. labelList];
        firstChild = [.. firstList];
        childCount = [.. countList];
        values = [.. valueList];
    }

    public int NodeCount => labels.Length;

    /// <summary>The root node, the start of every walk.</summary>
    public const int RootNode = 0;

    /// <summary>The value stored at a node (a key ends there), or -1.</summary>
    public int Value(int node) => values[node];

    /// <summary>The value of the longest key that is a prefix of <paramref name="text"/>, and its length (0 = none).</summary>
    public (int Length, int Value) LongestPrefix(ReadOnlySpan<byte> text)
    {
        var best = (0, -1);
        var node = RootNode;
        for (var i = 0; i < text.Length; i++)
        {
            node = Child(node, text[i]);
            if (node < 0)
            {
                break;
            }
            if (values[node] >= 0)
            {
                best = (i + 1, values[node]);
            }
        }
        return best;
    }

    /// <summary>The value stored for exactly <paramref name="key"/>, or -1.</summary>
    public int Find(ReadOnlySpan<byte> key)
    {
        var node = RootNode;
        foreach (var b in key)
        {
            node = Child(node, b);
            if (node < 0)
            {
                return -1;
            }
        }
        return values[node];
    }

    /// <summary>The child of <paramref name="node"/> along byte <paramref name="label"/>, or -1.</summary>
    public int Child(int node, byte label)
    {
        var lo = firstChild[node];
        var hi = lo + childCount[node] - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var l = labels[mid];
            if (l == label)
            {
                return mid;
            }
            if (l < label)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return -1;
    }
}
