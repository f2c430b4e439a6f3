using Wan.Kernels.Device;

namespace Wan.Kernels.Ops;

/// <summary>
/// Launchers of kernels/cuda/norm.cu: one block per row of x [rows, d], a multiple of 32 threads
/// (up to 256) striding over the columns; statistics in fp32. y may alias x.
/// </summary>
public static unsafe class NormOps
{
    private const int MaxThreads = 256;

    /// <summary>y = x · rsqrt(mean(x²) + eps) · weight.</summary>
    public static void RmsNorm(IDevice device, ElementType type, DeviceBuffer x, DeviceBuffer weight, DeviceBuffer y, int rows, int d, float eps)
    {
        const string op = "rms_norm";
        CheckRows(op, type, x, y, rows, d);
        OperandChecks.Holds(weight, d, type, op, nameof(weight));
        if (rows == 0)
        {
            return;
        }
        ulong px = x.Address, pw = weight.Address, py = y.Address;
        void** args = stackalloc void*[] { &px, &pw, &py, &rows, &d, &eps };
        device.Launch($"{op}_{type.KernelSuffix()}", new Dim3(rows), Block(d), 0, args);
    }

    /// <summary>y = (x − mean) · rsqrt(var + eps), then · weight and + bias when given.</summary>
    public static void LayerNorm(IDevice device, ElementType type, DeviceBuffer x, DeviceBuffer? weight, DeviceBuffer? bias, DeviceBuffer y, int rows, int d, float eps)
    {
        const string op = "layer_norm";
        CheckRows(op, type, x, y, rows, d);
        if (weight is not null)
        {
            OperandChecks.Holds(weight, d, type, op, nameof(weight));
        }
        if (bias is not null)
        {
            OperandChecks.Holds(bias, d, type, op, nameof(bias));
        }
        if (rows == 0)
        {
            return;
        }
        ulong px = x.Address, pw = weight?.Address ?? 0, pb = bias?.Address ?? 0, py = y.Address;
        void** args = stackalloc void*[] { &px, &pw, &pb, &py, &rows, &d, &eps };
        device.Launch($"{op}_{type.KernelSuffix()}", new Dim3(rows), Block(d), 0, args);
    }

    /// <summary>adaLN: y = LayerNorm(x) · (1 + scale) + shift, shift and scale [d].</summary>
    public static void ModulatedLayerNorm(IDevice device, ElementType type, DeviceBuffer x, DeviceBuffer shift, DeviceBuffer scale, DeviceBuffer y, int rows, int d, float eps)
    {
        const string op = "modulated_layer_norm";
        CheckRows(op, type, x, y, rows, d);
        OperandChecks.Holds(shift, d, type, op, nameof(shift));
        OperandChecks.Holds(scale, d, type, op, nameof(scale));
        if (rows == 0)
        {
            return;
        }
        ulong px = x.Address, psh = shift.Address, psc = scale.Address, py = y.Address;
        void** args = stackalloc void*[] { &px, &psh, &psc, &py, &rows, &d, &eps };
        device.Launch($"{op}_{type.KernelSuffix()}", new Dim3(rows), Block(d), 0, args);
    }

    private static Dim3 Block(int d) => new(Math.Min(MaxThreads, (d + 31) / 32 * 32));

    private static void CheckRows(string op, ElementType type, DeviceBuffer x, DeviceBuffer y, int rows, int d)
    {
        OperandChecks.NonNegative(rows, op, nameof(rows));
        OperandChecks.Positive(d, op, nameof(d));
        OperandChecks.Holds(x, (long)rows * d, type, op, nameof(x));
        OperandChecks.Holds(y, (long)rows * d, type, op, nameof(y));
    }
}
