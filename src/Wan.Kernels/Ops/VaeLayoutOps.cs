using Wan.Kernels.Device;

namespace Wan.Kernels.Ops;

/// <summary>
/// Where a strided block of frames lies in a buffer: for a copy of channels × frames planes of
/// <c>plane</c> contiguous elements, plane (ch, t) starts at Offset + ch·ChannelStride + t·FrameStride
/// (all in elements).
/// </summary>
public readonly record struct FrameBlock(long Offset, long ChannelStride, long FrameStride)
{
    /// <summary>The elements after <see cref="Offset"/> the block reaches for the given extent (0 when empty).</summary>
    public long Extent(int channels, int frames, long plane) =>
        channels == 0 || frames == 0 || plane == 0 ? 0 : checked((channels - 1) * ChannelStride + (frames - 1) * FrameStride + plane);
}

/// <summary>
/// Launchers of kernels/cuda/vae_layout.cu: the VAE's frame copies, nearest upsampling and the
/// pixel/row transpose, bit copies (one kernel per element width serves fp32, bf16 and fp16).
/// </summary>
public static unsafe class VaeLayoutOps
{
    /// <summary>
    /// Copies <paramref name="channels"/> × <paramref name="frames"/> planes of <paramref name="plane"/>
    /// elements from the <paramref name="from"/> block of src to the <paramref name="to"/> block of dst
    /// (slices, concatenation and interleaving of frames). The two blocks must not overlap.
    /// </summary>
    /// <exception cref="ArgumentException">a block reaches past its buffer, or src and dst overlap.</exception>
    public static void FrameCopy(IDevice device, ElementType type, DeviceBuffer src, FrameBlock from, DeviceBuffer dst, FrameBlock to,
        int channels, int frames, long plane)
    {
        const string op = "vae_frame_copy";
        OperandChecks.NonNegative(channels, op, nameof(channels));
        OperandChecks.NonNegative(frames, op, nameof(frames));
        OperandChecks.NonNegative(plane, op, nameof(plane));
        foreach (var (block, name) in new[] { (from, nameof(from)), (to, nameof(to)) })
        {
            if (block.Offset < 0 || block.ChannelStride < 0 || block.FrameStride < 0)
            {
                throw new ArgumentOutOfRangeException(name, $"{op}: {name} block {block} has a negative offset or stride");
            }
        }
        long srcExtent = from.Extent(channels, frames, plane), dstExtent = to.Extent(channels, frames, plane);
        OperandChecks.Holds(src, srcExtent, type, op, nameof(src), from.Offset);
        OperandChecks.Holds(dst, dstExtent, type, op, nameof(dst), to.Offset);
        OperandChecks.Disjoint(src, from.Offset * type.Size(), srcExtent * type.Size(), dst, to.Offset * type.Size(), dstExtent * type.Size(),
            op, nameof(src), nameof(dst));
        long count = checked((long)channels * frames * plane);
        if (count == 0)
        {
            return;
        }
        ulong ps = src.Address, pd = dst.Address;
        long so = from.Offset, scs = from.ChannelStride, sfs = from.FrameStride, dof = to.Offset, dcs = to.ChannelStride, dfs = to.FrameStride;
        void** args = stackalloc void*[] { &ps, &pd, &channels, &frames, &plane, &so, &scs, &sfs, &dof, &dcs, &dfs };
        device.Launch($"{op}_{VaeConvOps.Width(type)}", VaeGrid.Of(count), GridStride.Block, 0, args);
    }

    /// <summary>x [planes, h, w] → y [planes, 2h, 2w], each value repeated in a 2×2 square (x and y must not overlap).</summary>
    /// <exception cref="ArgumentException">a buffer is too small or x overlaps y.</exception>
    public static void UpsampleNearest2x(IDevice device, ElementType type, DeviceBuffer x, DeviceBuffer y, long planes, int h, int w)
    {
        const string op = "vae_upsample_nearest2x";
        OperandChecks.NonNegative(planes, op, nameof(planes));
        OperandChecks.Positive(h, op, nameof(h));
        OperandChecks.Positive(w, op, nameof(w));
        long input = checked(planes * h * w), output = checked(4 * input);
        OperandChecks.Holds(x, input, type, op, nameof(x));
        OperandChecks.Holds(y, output, type, op, nameof(y));
        OperandChecks.Disjoint(x, 0, input * type.Size(), y, 0, output * type.Size(), op, nameof(x), nameof(y));
        if (output == 0)
        {
            return;
        }
        ulong px = x.Address, py = y.Address;
        void** args = stackalloc void*[] { &px, &py, &planes, &h, &w };
        device.Launch($"{op}_{VaeConvOps.Width(type)}", VaeGrid.Of(output), GridStride.Block, 0, args);
    }

    /// <summary>src [rows, cols] → dst [cols, rows] (src and dst must not overlap).</summary>
    /// <exception cref="ArgumentException">a buffer is too small or src overlaps dst.</exception>
    public static void Transpose(IDevice device, ElementType type, DeviceBuffer src, DeviceBuffer dst, long rows, long cols)
    {
        const string op = "vae_transpose";
        OperandChecks.NonNegative(rows, op, nameof(rows));
        OperandChecks.NonNegative(cols, op, nameof(cols));
        long count = checked(rows * cols);
        OperandChecks.Holds(src, count, type, op, nameof(src));
        OperandChecks.Holds(dst, count, type, op, nameof(dst));
        OperandChecks.Disjoint(src, 0, count * type.Size(), dst, 0, count * type.Size(), op, nameof(src), nameof(dst));
        if (count == 0)
        {
            return;
        }
        ulong ps = src.Address, pd = dst.Address;
        void** args = stackalloc void*[] { &ps, &pd, &rows, &cols };
        device.Launch($"{op}_{VaeConvOps.Width(type)}", VaeGrid.Of(count), GridStride.Block, 0, args);
    }
}
