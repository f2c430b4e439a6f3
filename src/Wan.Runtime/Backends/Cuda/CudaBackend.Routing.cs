using System.Runtime.InteropServices;
using Wan.Kernels.Device;
using Wan.Kernels.Ops;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends.Cuda;

public sealed partial class CudaBackend
{
    /// <summary>A routing table in device memory (int32), read by the gather (gather.cu) and scatter (routing.cu) kernels.</summary>
    /// <exception cref="ArgumentOutOfRangeException">a row lies outside [0, sourceRows).</exception>
    public RowIndex UploadRowIndex(ReadOnlySpan<int> rows, int sourceRows) => new CudaRowIndex(this, rows, sourceRows);

    /// <inheritdoc/>
    public Tensor GatherRows(Tensor x, RowIndex index)
    {
        int cols = RoutingChecks.Gather(x, index, this);
        var y = Allocate(new Shape(index.Count, cols));
        GatherOps.GatherRows(Device, Element, Cuda(x).Buffer, index.SourceRows, ((CudaRowIndex)index).Buffer, y.Buffer, index.Count, cols);
        return y;
    }

    /// <inheritdoc/>
    public void ScatterRowsInPlace(Tensor target, Tensor rows, RowIndex index)
    {
        int cols = RoutingChecks.Scatter(target, rows, index, this);
        RoutingOps.ScatterRows(Device, Element, Cuda(rows).Buffer, ((CudaRowIndex)index).Buffer, Cuda(target).Buffer, index.SourceRows, index.Count, cols);
    }

    /// <summary>One GEMM over every row (<see cref="Linear"/>): cuBLAS's rounding of a row does not depend on the sample split here.</summary>
    /// <exception cref="ArgumentException">the rows are not a multiple of <paramref name="samples"/>, or the shapes disagree.</exception>
    public Tensor LinearPerSample(Tensor x, Tensor weight, Tensor? bias, int samples)
    {
        var (rows, _) = Matrix(x, "linear input");
        if (samples < 1 || rows % samples != 0)
        {
            throw new ArgumentException($"linear per sample: {rows} rows of {x.Shape} are not {samples} equal samples");
        }
        return Linear(x, weight, bias);
    }

    /// <inheritdoc/>
    public Tensor ConcatRows(IReadOnlyList<Tensor> parts)
    {
        var (rows, cols) = RoutingChecks.Concat(parts);
        var y = Allocate(new Shape(rows, cols));
        long offset = 0;
        foreach (var p in parts)
        {
            ElementwiseOps.Copy(Device, Element, Cuda(p).Buffer, 0, y.Buffer, offset, p.ElementCount);
            offset += p.ElementCount;
        }
        return y;
    }

    /// <summary>Computed on the host in float64 (row s = <see cref="TimestepSinusoid"/> of sample s), then uploaded once.</summary>
    /// <exception cref="ArgumentException">no timestep, or dim is not even and positive.</exception>
    public Tensor TimestepSinusoids(ReadOnlySpan<double> timesteps, int dim) =>
        FromHost(RoutingChecks.Sinusoids(timesteps, dim), new Shape(timesteps.Length, dim));

    /// <inheritdoc/>
    public Tensor ModulatedLayerNormPerSample(Tensor x, Tensor shift, Tensor scale, float eps)
    {
        var (rows, perSample, d) = RoutingChecks.PerSample(x, shift, "modulated layer_norm per sample");
        SameShape(shift, scale, "modulated layer_norm per sample shift/scale");
        var y = AllocateLike(x);
        RoutingOps.ModulatedLayerNormPerSample(Device, Element, Cuda(x).Buffer, Cuda(shift).Buffer, Cuda(scale).Buffer, y.Buffer, rows, perSample, d, eps);
        return y;
    }

    /// <inheritdoc/>
    public void GatedAddInPlacePerSample(Tensor x, Tensor y, Tensor gate)
    {
        SameShape(x, y, "gated add_ per sample");
        var (rows, perSample, d) = RoutingChecks.PerSample(x, gate, "gated add_ per sample");
        RoutingOps.GatedAddPerSample(Device, Element, Cuda(x).Buffer, Cuda(y).Buffer, Cuda(gate).Buffer, rows, perSample, d);
    }

    /// <summary>A routing table copied to device memory as int32; disposing frees it.</summary>
    private sealed class CudaRowIndex : RowIndex
    {
        public CudaRowIndex(CudaBackend backend, ReadOnlySpan<int> rows, int sourceRows) : base(backend, rows, sourceRows)
        {
            Buffer = backend.Device.Allocate(Math.Max(4L, 4L * rows.Length));
            if (!rows.IsEmpty)
            {
                backend.Device.CopyToDevice(MemoryMarshal.AsBytes(rows), Buffer);
            }
        }

        public DeviceBuffer Buffer { get; }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                Buffer.Dispose();
            }
        }
    }
}
