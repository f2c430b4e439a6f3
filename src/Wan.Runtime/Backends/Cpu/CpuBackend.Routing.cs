using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends.Cpu;

public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public RowIndex UploadRowIndex(ReadOnlySpan<int> rows, int sourceRows) => new CpuRowIndex(this, rows, sourceRows);

    /// <inheritdoc/>
    public Tensor GatherRows(Tensor x, RowIndex index)
    {
        int cols = RoutingChecks.Gather(x, index, this);
        var src = Cpu(x).Data;
        var y = new float[(long)index.Count * cols];
        for (int i = 0; i < index.Count; i++)
        {
            src.AsSpan(index.Rows[i] * cols, cols).CopyTo(y.AsSpan(i * cols, cols));
        }
        return new CpuTensor(this, new Shape(index.Count, cols), y);
    }

    /// <inheritdoc/>
    public void ScatterRowsInPlace(Tensor target, Tensor rows, RowIndex index)
    {
        int cols = RoutingChecks.Scatter(target, rows, index, this);
        var dst = Cpu(target).Data;
        var src = Cpu(rows).Data;
        for (int i = 0; i < index.Count; i++)
        {
            src.AsSpan(i * cols, cols).CopyTo(dst.AsSpan(index.Rows[i] * cols, cols));
        }
    }

    /// <inheritdoc/>
    public Tensor ConcatRows(IReadOnlyList<Tensor> parts)
    {
        var (rows, cols) = RoutingChecks.Concat(parts);
        var y = new float[(long)rows * cols];
        long offset = 0;
        foreach (var p in parts)
        {
            var data = Cpu(p).Data;
            data.CopyTo(y, offset);
            offset += data.Length;
        }
        return new CpuTensor(this, new Shape(rows, cols), y);
    }

    /// <inheritdoc/>
    public Tensor TimestepSinusoids(ReadOnlySpan<double> timesteps, int dim) =>
        FromHost(RoutingChecks.Sinusoids(timesteps, dim), new Shape(timesteps.Length, dim));

    /// <inheritdoc/>
    public Tensor ModulatedLayerNormPerSample(Tensor x, Tensor shift, Tensor scale, float eps)
    {
        var (rows, perSample, d) = RoutingChecks.PerSample(x, shift, "modulated layer_norm per sample");
        SameShape(shift, scale, "modulated layer_norm per sample shift/scale");
        var src = Cpu(x).Data;
        var onePlusScale = new float[scale.ElementCount];
        TensorPrimitives.Add(Cpu(scale).Data, 1f, onePlusScale);
        var sh = Cpu(shift).Data;
        var y = NewLike(x);
        var dst = y.Data;
        ForRows(rows, d, r =>
        {
            int s = r / perSample;
            var row = dst.AsSpan(r * d, d);
            NormalizeRow(src.AsSpan(r * d, d), eps, row);
            TensorPrimitives.FusedMultiplyAdd(row, onePlusScale.AsSpan(s * d, d), sh.AsSpan(s * d, d), row);
        });
        return y;
    }

    /// <inheritdoc/>
    public void GatedAddInPlacePerSample(Tensor x, Tensor y, Tensor gate)
    {
        SameShape(x, y, "gated add_ per sample");
        var (rows, perSample, d) = RoutingChecks.PerSample(x, gate, "gated add_ per sample");
        var dst = Cpu(x).Data;
        var src = Cpu(y).Data;
        var g = Cpu(gate).Data;
        ForRows(rows, d, r => TensorPrimitives.FusedMultiplyAdd(src.AsSpan(r * d, d), g.AsSpan(r / perSample * d, d), dst.AsSpan(r * d, d), dst.AsSpan(r * d, d)));
    }

    /// <summary>A CPU routing table: the kernels read the host copy.</summary>
    private sealed class CpuRowIndex(IBackend backend, ReadOnlySpan<int> rows, int sourceRows) : RowIndex(backend, rows, sourceRows);
}
