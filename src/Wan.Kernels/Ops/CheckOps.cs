using Wan.Kernels.Device;

namespace Wan.Kernels.Ops;

/// <summary>Launchers of kernels/cuda/checks.cu: value checks that return one number to the host.</summary>
public static unsafe class CheckOps
{
    /// <summary>
    /// The number of NaN and ±Inf values among the first <paramref name="count"/> elements of
    /// <paramref name="x"/> (stored as <paramref name="type"/>): one grid-stride kernel adding into an
    /// 8-byte device counter, then one 8-byte copy to the host. Not capturable (it zeroes and reads
    /// the counter on the host): run it between graph replays.
    /// </summary>
    /// <exception cref="ArgumentException">the buffer holds fewer than <paramref name="count"/> elements.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    public static long CountNonFinite(IDevice device, ElementType type, DeviceBuffer x, long count)
    {
        const string op = "count_nonfinite";
        ArgumentNullException.ThrowIfNull(device);
        OperandChecks.NonNegative(count, op, nameof(count));
        OperandChecks.Holds(x, count, type, op, nameof(x));
        if (count == 0)
        {
            return 0;
        }
        using var counter = device.Allocate(sizeof(ulong));
        device.Memset(counter, 0);
        ulong px = x.Address, pc = counter.Address;
        void** args = stackalloc void*[] { &px, &count, &pc };
        device.Launch($"{op}_{type.KernelSuffix()}", GridStride.Grid(count), GridStride.Block, 0, args);
        Span<byte> result = stackalloc byte[sizeof(ulong)];
        device.CopyToHost(counter, 0, result);
        return checked((long)BitConverter.ToUInt64(result));
    }
}
