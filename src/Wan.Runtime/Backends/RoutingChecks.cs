using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends;

/// <summary>The shape checks of <see cref="IRoutingOps"/> both backends share; each throws naming the op and the shapes.</summary>
internal static class RoutingChecks
{
    /// <summary>x [B·L, D] with per-sample rows [B, D]: returns (rows, rows per sample, D).</summary>
    public static (int Rows, int RowsPerSample, int D) PerSample(Tensor x, Tensor perSample, string op)
    {
        var (rows, d) = Matrix(x, op);
        if (perSample.Shape.Rank != 2 || perSample.Shape[1] != d || perSample.Shape[0] < 1 || rows % perSample.Shape[0] != 0)
        {
            throw new ArgumentException($"{op}: per-sample operand {perSample.Shape} must be [B, {d}] with B dividing the {rows} rows of {x.Shape}");
        }
        return (rows, rows / perSample.Shape[0], d);
    }

    /// <summary>x [index.SourceRows, C] for a gather: returns C.</summary>
    public static int Gather(Tensor x, RowIndex index, IBackend backend)
    {
        Owned(index, backend);
        if (x.Shape.Rank != 2 || x.Shape[0] != index.SourceRows)
        {
            throw new ArgumentException($"gather rows: source {x.Shape} must be [{index.SourceRows}, C] for this routing table");
        }
        return x.Shape[1];
    }

    /// <summary>target [index.SourceRows, C], rows [index.Count, C], distinct rows: returns C.</summary>
    public static int Scatter(Tensor target, Tensor rows, RowIndex index, IBackend backend)
    {
        Owned(index, backend);
        if (target.Shape.Rank != 2 || target.Shape[0] != index.SourceRows || rows.Shape != new Shape(index.Count, target.Shape[1]))
        {
            throw new ArgumentException($"scatter rows: {rows.Shape} into {target.Shape} does not fit a routing table of {index.Count} rows into {index.SourceRows}");
        }
        if (!index.Distinct)
        {
            throw new ArgumentException("scatter rows: the routing table repeats a row");
        }
        return target.Shape[1];
    }

    /// <summary>Parts [n_i, C] with one width: returns (Σ n_i, C).</summary>
    public static (int Rows, int Cols) Concat(IReadOnlyList<Tensor> parts)
    {
        if (parts.Count == 0)
        {
            throw new ArgumentException("concat rows: no part");
        }
        int cols = parts[0].Shape.Rank == 2 ? parts[0].Shape[1] : -1;
        long rows = 0;
        foreach (var p in parts)
        {
            if (p.Shape.Rank != 2 || p.Shape[1] != cols)
            {
                throw new ArgumentException($"concat rows: part {p.Shape} is not [n, {parts[0].Shape[-1]}] like the first");
            }
            rows += p.Shape[0];
        }
        return (checked((int)rows), cols);
    }

    /// <summary>Host sinusoids of every timestep, [B·dim] row-major.</summary>
    public static float[] Sinusoids(ReadOnlySpan<double> timesteps, int dim)
    {
        if (timesteps.IsEmpty)
        {
            throw new ArgumentException("timestep sinusoids: no timestep");
        }
        var all = new float[checked(timesteps.Length * dim)];
        for (int s = 0; s < timesteps.Length; s++)
        {
            HostMath.TimestepSinusoid(timesteps[s], dim).CopyTo(all, s * dim);
        }
        return all;
    }

    private static void Owned(RowIndex index, IBackend backend)
    {
        if (!ReferenceEquals(index.Backend, backend))
        {
            throw new ArgumentException($"routing table of {index.Backend.Name} used on {backend.Name}");
        }
    }
}
