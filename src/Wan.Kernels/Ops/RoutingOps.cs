using Wan.Kernels.Device;

namespace Wan.Kernels.Ops;

/// <summary>
/// Launchers of kernels/cuda/routing.cu: the scatter that puts an expert's contiguous batch back into
/// the rows of the whole batch, and the per-sample adaLN modulation and gated residual of a batch whose
/// samples sit at different timesteps (each sample: <c>rowsPerSample</c> consecutive rows of [rows, d]).
/// The gather is <see cref="GatherOps.GatherRows"/>.
/// </summary>
public static unsafe class RoutingOps
{
    private const int MaxThreads = 256;

    /// <summary>destination[ids[i]] = source[i] for rows of width d (bit copies in the storage type).</summary>
    /// <param name="device">where the kernel runs.</param>
    /// <param name="type">storage type of source and destination.</param>
    /// <param name="source">[count, d] on the device.</param>
    /// <param name="ids">int32 [count] on the device: distinct rows of destination (the kernel does not check).</param>
    /// <param name="destination">[destinationRows, d] on the device.</param>
    /// <param name="destinationRows">rows of the destination.</param>
    /// <param name="count">number of rows scattered (0 launches nothing).</param>
    /// <param name="d">row width.</param>
    /// <exception cref="ArgumentException">a buffer is too small or a size is negative.</exception>
    public static void ScatterRows(IDevice device, ElementType type, DeviceBuffer source, DeviceBuffer ids, DeviceBuffer destination, int destinationRows, int count, int d)
    {
        const string op = "scatter_rows";
        OperandChecks.NonNegative(count, op, nameof(count));
        OperandChecks.Positive(d, op, nameof(d));
        OperandChecks.NonNegative(destinationRows, op, nameof(destinationRows));
        OperandChecks.Holds(source, (long)count * d, type, op, nameof(source));
        OperandChecks.HoldsBytes(ids, 4L * count, op, nameof(ids));
        OperandChecks.Holds(destination, (long)destinationRows * d, type, op, nameof(destination));
        if (count == 0)
        {
            return;
        }
        ulong ps = source.Address, pi = ids.Address, pd = destination.Address;
        void** args = stackalloc void*[] { &ps, &pi, &pd, &count, &d };
        device.Launch(type.Size() == 2 ? "scatter_rows_16bit" : "scatter_rows_32bit", GridStride.Grid((long)count * d), GridStride.Block, 0, args);
    }

    /// <summary>
    /// adaLN per sample: y[r] = LayerNorm(x[r]) · (1 + scale[s]) + shift[s], s = r / rowsPerSample;
    /// x and y [rows, d] (y may alias x), shift and scale [rows / rowsPerSample, d].
    /// </summary>
    /// <exception cref="ArgumentException">rows is not a multiple of rowsPerSample, or a buffer is too small.</exception>
    public static void ModulatedLayerNormPerSample(IDevice device, ElementType type, DeviceBuffer x, DeviceBuffer shift, DeviceBuffer scale, DeviceBuffer y,
        int rows, int rowsPerSample, int d, float eps)
    {
        const string op = "modulated_layer_norm_per_sample";
        int samples = Samples(op, rows, rowsPerSample, d);
        OperandChecks.Holds(x, (long)rows * d, type, op, nameof(x));
        OperandChecks.Holds(y, (long)rows * d, type, op, nameof(y));
        OperandChecks.Holds(shift, (long)samples * d, type, op, nameof(shift));
        OperandChecks.Holds(scale, (long)samples * d, type, op, nameof(scale));
        if (rows == 0)
        {
            return;
        }
        ulong px = x.Address, psh = shift.Address, psc = scale.Address, py = y.Address;
        void** args = stackalloc void*[] { &px, &psh, &psc, &py, &rows, &rowsPerSample, &d, &eps };
        device.Launch($"{op}_{type.KernelSuffix()}", new Dim3(rows), new Dim3(Math.Min(MaxThreads, (d + 31) / 32 * 32)), 0, args);
    }

    /// <summary>x[r] += gate[s] · y[r] for rows r of [rows, d], s = r / rowsPerSample; gate [rows / rowsPerSample, d].</summary>
    /// <exception cref="ArgumentException">rows is not a multiple of rowsPerSample, a buffer is too small, or gate overlaps x.</exception>
    public static void GatedAddPerSample(IDevice device, ElementType type, DeviceBuffer x, DeviceBuffer y, DeviceBuffer gate, int rows, int rowsPerSample, int d)
    {
        const string op = "gated_add_per_sample";
        int samples = Samples(op, rows, rowsPerSample, d);
        long count = (long)rows * d;
        OperandChecks.Holds(x, count, type, op, nameof(x));
        OperandChecks.Holds(y, count, type, op, nameof(y));
        OperandChecks.Holds(gate, (long)samples * d, type, op, nameof(gate));
        OperandChecks.Disjoint(gate, 0, (long)samples * d * type.Size(), x, 0, count * type.Size(), op, nameof(gate), nameof(x));
        if (count == 0)
        {
            return;
        }
        ulong px = x.Address, py = y.Address, pg = gate.Address;
        void** args = stackalloc void*[] { &px, &py, &pg, &count, &rowsPerSample, &d };
        device.Launch($"{op}_{type.KernelSuffix()}", GridStride.Grid(count), GridStride.Block, 0, args);
    }

    private static int Samples(string op, int rows, int rowsPerSample, int d)
    {
        OperandChecks.NonNegative(rows, op, nameof(rows));
        OperandChecks.Positive(rowsPerSample, op, nameof(rowsPerSample));
        OperandChecks.Positive(d, op, nameof(d));
        if (rows % rowsPerSample != 0)
        {
            throw new ArgumentException($"{op}: {rows} rows are not a whole number of samples of {rowsPerSample} rows");
        }
        return rows / rowsPerSample;
    }
}
