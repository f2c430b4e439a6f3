using Wan.Kernels.Device;

namespace Wan.Kernels.Ops;

/// <summary>Launcher of kernels/cuda/gather.cu: out[i] = table[ids[i]] for rows of width d.</summary>
public static unsafe class GatherOps
{
    /// <summary>output[count, d] = rows ids[i] of table[vocab, d], bit copies in the storage type.</summary>
    /// <param name="device">where the kernel runs.</param>
    /// <param name="type">storage type of table and output.</param>
    /// <param name="table">[vocab, d] on the device.</param>
    /// <param name="vocab">rows of the table.</param>
    /// <param name="ids">int32 [count] on the device; every id must lie in [0, vocab) (the kernel does not check).</param>
    /// <param name="output">[count, d] on the device.</param>
    /// <param name="count">number of ids (0 launches nothing).</param>
    /// <param name="d">row width.</param>
    /// <exception cref="ArgumentException">a buffer is too small.</exception>
    public static void GatherRows(IDevice device, ElementType type, DeviceBuffer table, int vocab, DeviceBuffer ids, DeviceBuffer output, int count, int d)
    {
        const string op = "gather_rows";
        OperandChecks.NonNegative(count, op, nameof(count));
        OperandChecks.Positive(d, op, nameof(d));
        OperandChecks.Positive(vocab, op, nameof(vocab));
        OperandChecks.Holds(table, (long)vocab * d, type, op, nameof(table));
        OperandChecks.HoldsBytes(ids, 4L * count, op, nameof(ids));
        OperandChecks.Holds(output, (long)count * d, type, op, nameof(output));
        if (count == 0)
        {
            return;
        }
        ulong pt = table.Address, pi = ids.Address, po = output.Address;
        void** args = stackalloc void*[] { &pt, &pi, &po, &count, &d };
        device.Launch(type.Size() == 2 ? "gather_rows_16bit" : "gather_rows_32bit", GridStride.Grid((long)count * d), GridStride.Block, 0, args);
    }
}
