using Wan.Kernels.Device;

namespace Wan.Kernels.Ops;

/// <summary>
/// Launchers of kernels/cuda/vae_tiles.cu: the window copy and the weighted tile accumulation of the
/// VAE's spatially tiled decode. Videos are [planes, H, W].
/// </summary>
public static unsafe class VaeTileOps
{
    /// <summary>dst [planes, h, w] = rows [top, top + h) and columns [left, left + w) of src [planes, srcH, srcW].</summary>
    /// <exception cref="ArgumentException">the window leaves src, a buffer is too small, or src and dst overlap.</exception>
    public static void WindowCopy(IDevice device, ElementType type, DeviceBuffer src, DeviceBuffer dst, long planes, (int H, int W) source,
        (int Top, int Left, int H, int W) window)
    {
        const string op = "vae_window_copy";
        CheckWindow(op, planes, source, window);
        long input = checked(planes * source.H * source.W), output = checked(planes * window.H * window.W);
        OperandChecks.Holds(src, input, type, op, nameof(src));
        OperandChecks.Holds(dst, output, type, op, nameof(dst));
        OperandChecks.Disjoint(src, 0, input * type.Size(), dst, 0, output * type.Size(), op, nameof(src), nameof(dst));
        if (output == 0)
        {
            return;
        }
        ulong ps = src.Address, pd = dst.Address;
        int srcH = source.H, srcW = source.W, top = window.Top, left = window.Left, h = window.H, w = window.W;
        void** args = stackalloc void*[] { &ps, &pd, &planes, &srcH, &srcW, &top, &left, &h, &w };
        device.Launch($"{op}_{VaeConvOps.Width(type)}", VaeGrid.Of(output), GridStride.Block, 0, args);
    }

    /// <summary>
    /// out[p, top + i, left + j] += tile[p, i, j] · rowWeight[i] · columnWeight[j] for tile [planes, h, w] placed
    /// at (top, left) of out [planes, outH, outW]; the weights are fp32 ([h] and [w]) whatever the storage type.
    /// </summary>
    /// <exception cref="ArgumentException">the tile leaves out, a buffer is too small, or an operand overlaps out.</exception>
    public static void AccumulateTile(IDevice device, ElementType type, DeviceBuffer tile, DeviceBuffer rowWeight, DeviceBuffer columnWeight,
        DeviceBuffer output, long planes, (int H, int W) outSize, (int Top, int Left, int H, int W) window)
    {
        const string op = "vae_accumulate_tile";
        CheckWindow(op, planes, outSize, window);
        long tileElements = checked(planes * window.H * window.W), outElements = checked(planes * outSize.H * outSize.W);
        OperandChecks.Holds(tile, tileElements, type, op, nameof(tile));
        OperandChecks.Holds(rowWeight, window.H, ElementType.F32, op, nameof(rowWeight));
        OperandChecks.Holds(columnWeight, window.W, ElementType.F32, op, nameof(columnWeight));
        OperandChecks.Holds(output, outElements, type, op, nameof(output));
        long outBytes = outElements * type.Size();
        OperandChecks.Disjoint(tile, 0, tileElements * type.Size(), output, 0, outBytes, op, nameof(tile), nameof(output));
        OperandChecks.Disjoint(rowWeight, 0, window.H * 4L, output, 0, outBytes, op, nameof(rowWeight), nameof(output));
        OperandChecks.Disjoint(columnWeight, 0, window.W * 4L, output, 0, outBytes, op, nameof(columnWeight), nameof(output));
        if (tileElements == 0)
        {
            return;
        }
        ulong pt = tile.Address, pr = rowWeight.Address, pc = columnWeight.Address, po = output.Address;
        int h = window.H, w = window.W, outH = outSize.H, outW = outSize.W, top = window.Top, left = window.Left;
        void** args = stackalloc void*[] { &pt, &pr, &pc, &po, &planes, &h, &w, &outH, &outW, &top, &left };
        device.Launch($"{op}_{type.KernelSuffix()}", VaeGrid.Of(tileElements), GridStride.Block, 0, args);
    }

    private static void CheckWindow(string op, long planes, (int H, int W) frame, (int Top, int Left, int H, int W) window)
    {
        OperandChecks.NonNegative(planes, op, nameof(planes));
        OperandChecks.Positive(window.H, op, "window height");
        OperandChecks.Positive(window.W, op, "window width");
        if (window.Top < 0 || window.Left < 0 || (long)window.Top + window.H > frame.H || (long)window.Left + window.W > frame.W)
        {
            throw new ArgumentOutOfRangeException(nameof(window), $"{op}: window {window} leaves the {frame.H}×{frame.W} frame");
        }
    }
}
