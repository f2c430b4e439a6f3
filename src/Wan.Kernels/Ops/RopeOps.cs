using Wan.Kernels.Device;

namespace Wan.Kernels.Ops;

/// <summary>
/// Launcher of kernels/cuda/rope.cu: rotates the adjacent pairs (2j, 2j+1) of every head of
/// x [tokens, heads·2·pairs] by the fp32 tables cos, sin [≥ tokens, pairs]; y may alias x.
/// </summary>
public static unsafe class RopeOps
{
    public static void Apply(IDevice device, ElementType type, DeviceBuffer x, DeviceBuffer y, DeviceBuffer cos, DeviceBuffer sin, int tokens, int heads, int pairs)
    {
        const string op = "rope";
        OperandChecks.NonNegative(tokens, op, nameof(tokens));
        OperandChecks.Positive(heads, op, nameof(heads));
        OperandChecks.Positive(pairs, op, nameof(pairs));
        long elements = (long)tokens * heads * 2 * pairs;
        OperandChecks.Holds(x, elements, type, op, nameof(x));
        OperandChecks.Holds(y, elements, type, op, nameof(y));
        OperandChecks.Holds(cos, (long)tokens * pairs, ElementType.F32, op, nameof(cos));
        OperandChecks.Holds(sin, (long)tokens * pairs, ElementType.F32, op, nameof(sin));
        if (tokens == 0)
        {
            return;
        }
        ulong px = x.Address, py = y.Address, pc = cos.Address, ps = sin.Address;
        void** args = stackalloc void*[] { &px, &py, &pc, &ps, &tokens, &heads, &pairs };
        device.Launch($"{op}_{type.KernelSuffix()}", GridStride.Grid(elements / 2), GridStride.Block, 0, args);
    }
}
