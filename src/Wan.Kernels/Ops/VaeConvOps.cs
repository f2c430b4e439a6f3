using Wan.Kernels.Device;

namespace Wan.Kernels.Ops;

/// <summary>
/// Launchers of kernels/cuda/vae_conv.cu: the im2col gather and the bias broadcast around the VAE's
/// convolution GEMMs (bit copies, so one kernel per element width serves fp32, bf16 and fp16).
/// </summary>
public static unsafe class VaeConvOps
{
    /// <summary>
    /// cols [K, rows·OutW] (K = <see cref="Im2ColGeometry.ColumnRows"/>) = the receptive fields of the
    /// flattened output rows [row0, row0 + rows) (row R = output frame R / OutH, output row R % OutH)
    /// of the convolution of x [Cin, F, H, W]; zeros where the field leaves the input.
    /// </summary>
    /// <exception cref="ArgumentException">a buffer is too small or x and cols overlap.</exception>
    /// <exception cref="ArgumentOutOfRangeException">a size is not positive or the row range is negative.</exception>
    public static void Im2Col(IDevice device, ElementType type, DeviceBuffer x, DeviceBuffer cols, Im2ColGeometry g, int row0, int rows)
    {
        const string op = "vae_im2col";
        foreach (var (value, name) in new[]
        {
            (g.Cin, "Cin"), (g.F, "F"), (g.H, "H"), (g.W, "W"), (g.Kt, "Kt"), (g.Kh, "Kh"), (g.Kw, "Kw"),
            (g.StrideT, "StrideT"), (g.StrideH, "StrideH"), (g.StrideW, "StrideW"), (g.OutH, "OutH"), (g.OutW, "OutW"), (rows, nameof(rows)),
        })
        {
            OperandChecks.Positive(value, op, name);
        }
        OperandChecks.NonNegative(row0, op, nameof(row0));
        OperandChecks.NonNegative(g.PadFront, op, "PadFront");
        OperandChecks.NonNegative(g.PadTop, op, "PadTop");
        OperandChecks.NonNegative(g.PadLeft, op, "PadLeft");
        long count = checked(g.ColumnRows * rows * g.OutW);
        OperandChecks.Holds(x, g.InputElements, type, op, nameof(x));
        OperandChecks.Holds(cols, count, type, op, nameof(cols));
        OperandChecks.Disjoint(x, 0, g.InputElements * type.Size(), cols, 0, count * type.Size(), op, nameof(x), nameof(cols));
        ulong px = x.Address, pc = cols.Address;
        int cin = g.Cin, f = g.F, h = g.H, w = g.W, kt = g.Kt, kh = g.Kh, kw = g.Kw, st = g.StrideT, sh = g.StrideH, sw = g.StrideW;
        int padFront = g.PadFront, padTop = g.PadTop, padLeft = g.PadLeft, ho = g.OutH, wo = g.OutW;
        void** args = stackalloc void*[] { &px, &pc, &cin, &f, &h, &w, &kt, &kh, &kw, &st, &sh, &sw, &padFront, &padTop, &padLeft, &ho, &wo, &row0, &rows };
        device.Launch($"{op}_{Width(type)}", VaeGrid.Of(count), GridStride.Block, 0, args);
    }

    /// <summary>y [c, n]: y[ch, p] = v[ch] for every position p (v holds c elements and must not overlap y).</summary>
    /// <exception cref="ArgumentException">a buffer is too small or v overlaps y.</exception>
    public static void ChannelBroadcast(IDevice device, ElementType type, DeviceBuffer v, DeviceBuffer y, int c, long n)
    {
        const string op = "vae_channel_broadcast";
        OperandChecks.Positive(c, op, nameof(c));
        OperandChecks.NonNegative(n, op, nameof(n));
        long count = checked(c * n);
        OperandChecks.Holds(v, c, type, op, nameof(v));
        OperandChecks.Holds(y, count, type, op, nameof(y));
        OperandChecks.Disjoint(v, 0, c * type.Size(), y, 0, count * type.Size(), op, nameof(v), nameof(y));
        if (count == 0)
        {
            return;
        }
        ulong pv = v.Address, py = y.Address;
        void** args = stackalloc void*[] { &pv, &py, &c, &n };
        device.Launch($"{op}_{Width(type)}", VaeGrid.Of(count), GridStride.Block, 0, args);
    }

    internal static string Width(ElementType type) => type.Size() == 2 ? "16bit" : "32bit";
}
