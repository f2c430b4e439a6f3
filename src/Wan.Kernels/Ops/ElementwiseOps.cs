using Wan.Kernels.Device;

namespace Wan.Kernels.Ops;

/// <summary>
/// Launchers of kernels/cuda/elementwise.cu (activations, adds, bias, copies): grid-stride kernels
/// over <c>count</c> contiguous elements. The output may be the same buffer as an elementwise input
/// (unary ops, add, mul; y in gated_add): element i is read and written by the same thread. Operands
/// that many threads read (gate, the bias row) and copy/convert sources must not overlap the output;
/// that is checked here, and the kernels mark them <c>__restrict__</c>.
/// </summary>
public static unsafe class ElementwiseOps
{
    /// <summary>y = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) over <paramref name="count"/> elements (y may be x).</summary>
    public static void GeluTanh(IDevice device, ElementType type, DeviceBuffer x, DeviceBuffer y, long count) =>
        Unary(device, "gelu_tanh", type, x, y, count);

    /// <summary>y = x · sigmoid(x) over <paramref name="count"/> elements (y may be x).</summary>
    public static void Silu(IDevice device, ElementType type, DeviceBuffer x, DeviceBuffer y, long count) =>
        Unary(device, "silu", type, x, y, count);

    /// <summary>y = a + b.</summary>
    public static void Add(IDevice device, ElementType type, DeviceBuffer a, DeviceBuffer b, DeviceBuffer y, long count) =>
        Binary(device, "add", type, a, b, y, count);

    /// <summary>y = a · b.</summary>
    public static void Mul(IDevice device, ElementType type, DeviceBuffer a, DeviceBuffer b, DeviceBuffer y, long count) =>
        Binary(device, "mul", type, a, b, y, count);

    /// <summary>x[rows, d] += gate[d] · y[rows, d].</summary>
    public static void GatedAdd(IDevice device, ElementType type, DeviceBuffer x, DeviceBuffer y, DeviceBuffer gate, long rows, int d)
    {
        const string op = "gated_add";
        OperandChecks.NonNegative(rows, op, nameof(rows));
        OperandChecks.Positive(d, op, nameof(d));
        long count = rows * d;
        OperandChecks.Holds(x, count, type, op, nameof(x));
        OperandChecks.Holds(y, count, type, op, nameof(y));
        OperandChecks.Holds(gate, d, type, op, nameof(gate));
        OperandChecks.Disjoint(gate, 0, d * type.Size(), x, 0, count * type.Size(), op, nameof(gate), nameof(x));
        if (count == 0)
        {
            return;
        }
        ulong px = x.Address, py = y.Address, pg = gate.Address;
        void** args = stackalloc void*[] { &px, &py, &pg, &count, &d };
        device.Launch($"{op}_{type.KernelSuffix()}", GridStride.Grid(count), GridStride.Block, 0, args);
    }

    /// <summary>y[rows, d] += v[d] (a bias over every row).</summary>
    public static void AddRowVector(IDevice device, ElementType type, DeviceBuffer y, DeviceBuffer v, long rows, int d)
    {
        const string op = "add_row_vector";
        OperandChecks.NonNegative(rows, op, nameof(rows));
        OperandChecks.Positive(d, op, nameof(d));
        long count = rows * d;
        OperandChecks.Holds(y, count, type, op, nameof(y));
        OperandChecks.Holds(v, d, type, op, nameof(v));
        OperandChecks.Disjoint(v, 0, d * type.Size(), y, 0, count * type.Size(), op, nameof(v), nameof(y));
        if (count == 0)
        {
            return;
        }
        ulong py = y.Address, pv = v.Address;
        void** args = stackalloc void*[] { &py, &pv, &count, &d };
        device.Launch($"{op}_{type.KernelSuffix()}", GridStride.Grid(count), GridStride.Block, 0, args);
    }

    /// <summary>Copies <paramref name="count"/> elements (offsets in elements) between buffers of one device.</summary>
    public static void Copy(IDevice device, ElementType type, DeviceBuffer source, long sourceOffset, DeviceBuffer destination, long destinationOffset, long count)
    {
        const string op = "copy";
        OperandChecks.NonNegative(sourceOffset, op, nameof(sourceOffset));
        OperandChecks.NonNegative(destinationOffset, op, nameof(destinationOffset));
        OperandChecks.NonNegative(count, op, nameof(count));
        OperandChecks.Holds(source, count, type, op, nameof(source), sourceOffset);
        OperandChecks.Holds(destination, count, type, op, nameof(destination), destinationOffset);
        OperandChecks.Disjoint(source, sourceOffset * type.Size(), count * type.Size(),
            destination, destinationOffset * type.Size(), count * type.Size(), op, nameof(source), nameof(destination));
        if (count == 0)
        {
            return;
        }
        int size = type.Size();
        ulong ps = source.Address + (ulong)(sourceOffset * size), pd = destination.Address + (ulong)(destinationOffset * size);
        void** args = stackalloc void*[] { &ps, &pd, &count };
        device.Launch(size == 2 ? "copy_16bit" : "copy_32bit", GridStride.Grid(count), GridStride.Block, 0, args);
    }

    /// <summary>y = x converted between fp32 and a 16-bit type (either direction), rounding to nearest even.</summary>
    public static void Convert(IDevice device, ElementType from, ElementType to, DeviceBuffer x, DeviceBuffer y, long count)
    {
        const string op = "convert";
        if ((from == ElementType.F32) == (to == ElementType.F32))
        {
            throw new ArgumentException($"{op}: converts between F32 and a 16-bit type, not {from} to {to}");
        }
        OperandChecks.NonNegative(count, op, nameof(count));
        OperandChecks.Holds(x, count, from, op, nameof(x));
        OperandChecks.Holds(y, count, to, op, nameof(y));
        OperandChecks.Disjoint(x, 0, count * from.Size(), y, 0, count * to.Size(), op, nameof(x), nameof(y));
        if (count == 0)
        {
            return;
        }
        ulong px = x.Address, py = y.Address;
        void** args = stackalloc void*[] { &px, &py, &count };
        device.Launch($"{op}_{from.KernelSuffix()}_to_{to.KernelSuffix()}", GridStride.Grid(count), GridStride.Block, 0, args);
    }

    private static void Unary(IDevice device, string op, ElementType type, DeviceBuffer x, DeviceBuffer y, long count)
    {
        OperandChecks.NonNegative(count, op, nameof(count));
        OperandChecks.Holds(x, count, type, op, nameof(x));
        OperandChecks.Holds(y, count, type, op, nameof(y));
        if (count == 0)
        {
            return;
        }
        ulong px = x.Address, py = y.Address;
        void** args = stackalloc void*[] { &px, &py, &count };
        device.Launch($"{op}_{type.KernelSuffix()}", GridStride.Grid(count), GridStride.Block, 0, args);
    }

    private static void Binary(IDevice device, string op, ElementType type, DeviceBuffer a, DeviceBuffer b, DeviceBuffer y, long count)
    {
        OperandChecks.NonNegative(count, op, nameof(count));
        OperandChecks.Holds(a, count, type, op, nameof(a));
        OperandChecks.Holds(b, count, type, op, nameof(b));
        OperandChecks.Holds(y, count, type, op, nameof(y));
        if (count == 0)
        {
            return;
        }
        ulong pa = a.Address, pb = b.Address, py = y.Address;
        void** args = stackalloc void*[] { &pa, &pb, &py, &count };
        device.Launch($"{op}_{type.KernelSuffix()}", GridStride.Grid(count), GridStride.Block, 0, args);
    }
}
