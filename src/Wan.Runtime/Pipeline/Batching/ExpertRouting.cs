namespace Wan.Runtime.Pipeline.Batching;

/// <summary>
/// The routing step of a batch: sample i goes to expert[i]; the samples of each expert, in batch order,
/// form one contiguous batch (experts in order of first appearance). Computed on the host from the samples'
/// timesteps (the solver lives there); the row tables are then uploaded for the gather/scatter kernels.
/// </summary>
public static class ExpertRouting
{
    /// <summary>For each expert in order of first appearance: the batch rows of its samples.</summary>
    /// <exception cref="ArgumentException">no sample.</exception>
    public static IReadOnlyList<(TExpert Expert, int[] Samples)> Group<TExpert>(IReadOnlyList<TExpert> expertOfSample) where TExpert : notnull
    {
        if (expertOfSample.Count == 0)
        {
            throw new ArgumentException("routing: an empty batch");
        }
        var groups = new List<(TExpert Expert, List<int> Samples)>();
        for (int i = 0; i < expertOfSample.Count; i++)
        {
            int g = groups.FindIndex(x => EqualityComparer<TExpert>.Default.Equals(x.Expert, expertOfSample[i]));
            if (g < 0)
            {
                groups.Add((expertOfSample[i], []));
                g = groups.Count - 1;
            }
            groups[g].Samples.Add(i);
        }
        return [.. groups.Select(x => (x.Expert, x.Samples.ToArray()))];
    }
}
