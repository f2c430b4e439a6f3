using Wan.Convert.Weights;
using Wan.Runtime.Tensors;
using Wan.Runtime.Weights;

namespace Wan.Convert.Inspection;

/// <summary>One difference between two models: a tensor only on one side, a dtype/shape change, or different values.</summary>
public sealed record DiffEntry(string Component, string Tensor, string Difference, double? RelativeL2 = null, double? MaxAbs = null);

/// <summary>
/// Compares two models tensor by tensor under diffusers names (so an original and a diffusers directory
/// can be compared): names on one side only, dtype or shape changes, and for common float tensors the
/// relative L2 <c>||a - b|| / ||b||</c> and the largest absolute difference when they are not identical.
/// </summary>
public static class Differ
{
    public static IReadOnlyList<DiffEntry> Diff(string pathA, string pathB)
    {
        using var a = ModelDirectory.Open(pathA);
        using var b = ModelDirectory.Open(pathB);
        var result = new List<DiffEntry>();
        var single = a.Layout == "single" && b.Layout == "single";
        foreach (var ca in a.Components)
        {
            var cb = single ? b.Components[0] : b.Components.FirstOrDefault(c => c.Name == ca.Name);
            if (cb is null)
            {
                result.Add(new DiffEntry(ca.Name, "*", "component only in A"));
                continue;
            }
            var namesA = ca.Source.Names.ToDictionary(ca.DiffusersName, n => n, StringComparer.Ordinal);
            var namesB = cb.Source.Names.ToDictionary(cb.DiffusersName, n => n, StringComparer.Ordinal);
            foreach (var (name, storedA) in namesA.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                if (!namesB.TryGetValue(name, out var storedB))
                {
                    result.Add(new DiffEntry(ca.Name, name, "only in A"));
                    continue;
                }
                if (Compare(ca.Name, name, ca.Source, storedA, cb.Source, storedB) is { } entry)
                {
                    result.Add(entry);
                }
            }
            result.AddRange(namesB.Keys.Where(n => !namesA.ContainsKey(n)).Order(StringComparer.Ordinal).Select(n => new DiffEntry(ca.Name, n, "only in B")));
        }
        if (!single)
        {
            result.AddRange(b.Components.Where(cb => a.Components.All(ca => ca.Name != cb.Name)).Select(cb => new DiffEntry(cb.Name, "*", "component only in B")));
        }
        return result;
    }

    private static DiffEntry? Compare(string component, string name, ITensorSource a, string an, ITensorSource b, string bn)
    {
        var ia = a.Get(an);
        var ib = b.Get(bn);
        if (ia.Shape != ib.Shape)
        {
            return new DiffEntry(component, name, $"shape {ia.Shape} vs {ib.Shape}");
        }
        if (!ia.DType.IsFloat() || !ib.DType.IsFloat())
        {
            return ia.DType == ib.DType ? null : new DiffEntry(component, name, $"dtype {ia.DType} vs {ib.DType}");
        }
        using var ra = new FloatChunks(ia);
        using var rb = new FloatChunks(ib);
        var x = new float[FloatChunks.ChunkElements];
        var y = new float[FloatChunks.ChunkElements];
        double err = 0, norm = 0, maxAbs = 0;
        int n;
        while ((n = ra.Next(x)) > 0)
        {
            rb.Next(y.AsSpan(0, n));
            for (int i = 0; i < n; i++)
            {
                double d = (double)x[i] - y[i];
                err += d * d;
                norm += (double)y[i] * y[i];
                maxAbs = Math.Max(maxAbs, Math.Abs(d));
            }
        }
        var dtype = ia.DType == ib.DType ? "" : $"dtype {ia.DType} vs {ib.DType}; ";
        if (err == 0 && dtype.Length == 0)
        {
            return null;
        }
        var rel = norm > 0 ? Math.Sqrt(err / norm) : Math.Sqrt(err);
        return new DiffEntry(component, name, err == 0 ? $"{dtype}values equal" : $"{dtype}values differ", rel, maxAbs);
    }
}
