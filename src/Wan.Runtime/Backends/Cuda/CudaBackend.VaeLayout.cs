using Wan.Kernels.Ops;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends.Cuda;

public sealed partial class CudaBackend
{
    /// <summary>Nearest 2× spatial upsampling of every frame: [C, F, H, W] → [C, F, 2H, 2W] (kernels/cuda/vae_layout.cu).</summary>
    /// <exception cref="ArgumentException">x is not [C, F, H, W].</exception>
    public Tensor UpsampleNearest2x(Tensor x)
    {
        var (c, f, h, w) = VaeChecks.Video(x, "upsample input");
        var y = Allocate(new Shape(c, f, checked(2 * h), checked(2 * w)));
        if (h > 0 && w > 0)
        {
            VaeLayoutOps.UpsampleNearest2x(Device, Element, Cuda(x).Buffer, y.Buffer, (long)c * f, h, w);
        }
        return y;
    }

    /// <summary>Frames of a [C, Fa, H, W] then of b [C, Fb, H, W] → [C, Fa + Fb, H, W] (two frame copies).</summary>
    /// <exception cref="ArgumentException">the tensors differ in channels or frame size.</exception>
    public Tensor ConcatFrames(Tensor a, Tensor b)
    {
        var (c, fa, h, w) = VaeChecks.Video(a, "concat frames: first");
        var (cb, fb, hb, wb) = VaeChecks.Video(b, "concat frames: second");
        if (cb != c || hb != h || wb != w)
        {
            throw new ArgumentException($"concat frames: {a.Shape} and {b.Shape} differ in channels or frame size");
        }
        long plane = (long)h * w;
        int f = checked(fa + fb);
        var y = Allocate(new Shape(c, f, h, w));
        VaeLayoutOps.FrameCopy(Device, Element, Cuda(a).Buffer, new FrameBlock(0, fa * plane, plane), y.Buffer, new FrameBlock(0, f * plane, plane), c, fa, plane);
        VaeLayoutOps.FrameCopy(Device, Element, Cuda(b).Buffer, new FrameBlock(0, fb * plane, plane), y.Buffer, new FrameBlock(fa * plane, f * plane, plane), c, fb, plane);
        return y;
    }

    /// <summary>Frames [start, start + count) of x [C, F, H, W], copied into a new tensor.</summary>
    /// <exception cref="ArgumentOutOfRangeException">the range leaves the frames of x.</exception>
    public Tensor SliceFrames(Tensor x, int start, int count)
    {
        var (c, f, h, w) = VaeChecks.Video(x, "slice frames");
        if (start < 0 || count < 0 || (long)start + count > f)
        {
            throw new ArgumentOutOfRangeException(nameof(start), $"slice frames: [{start}, {(long)start + count}) outside the {f} frames of {x.Shape}");
        }
        long plane = (long)h * w;
        var y = Allocate(new Shape(c, count, h, w));
        VaeLayoutOps.FrameCopy(Device, Element, Cuda(x).Buffer, new FrameBlock(start * plane, f * plane, plane), y.Buffer, new FrameBlock(0, count * plane, plane), c, count, plane);
        return y;
    }

    /// <summary>Channels [start, start + count) of x [C, ...], copied into a new tensor (one contiguous copy).</summary>
    /// <exception cref="ArgumentOutOfRangeException">the range leaves the channels of x.</exception>
    public Tensor SliceChannels(Tensor x, int start, int count)
    {
        if (x.Shape.Rank < 1)
        {
            throw new ArgumentException($"slice channels: expected [C, ...], got {x.Shape}");
        }
        int c = x.Shape[0];
        if (start < 0 || count < 0 || (long)start + count > c)
        {
            throw new ArgumentOutOfRangeException(nameof(start), $"slice channels: [{start}, {(long)start + count}) outside the {c} channels of {x.Shape}");
        }
        long per = c == 0 ? 0 : x.ElementCount / c;
        var dims = x.Shape.ToArray();
        dims[0] = count;
        var y = Allocate(new Shape(dims));
        ElementwiseOps.Copy(Device, Element, Cuda(x).Buffer, start * per, y.Buffer, 0, count * per);
        return y;
    }

    /// <summary>
    /// [2C, F, H, W] → [C, 2F, H, W]: channel half 0 becomes frame 2f, half 1 frame 2f + 1 (the temporal
    /// upsampler's frame doubling, original <c>Resample</c> 'upsample3d'); two strided frame copies.
    /// </summary>
    /// <exception cref="ArgumentException">x is not [C, F, H, W] with an even C.</exception>
    public Tensor InterleaveChannelHalves(Tensor x)
    {
        var (c2, f, h, w) = VaeChecks.Video(x, "interleave channel halves");
        if (c2 % 2 != 0)
        {
            throw new ArgumentException($"interleave channel halves: {x.Shape} has an odd channel count");
        }
        int c = c2 / 2;
        long plane = (long)h * w;
        var y = Allocate(new Shape(c, checked(2 * f), h, w));
        var source = Cuda(x).Buffer;
        for (int half = 0; half < 2; half++)
        {
            VaeLayoutOps.FrameCopy(Device, Element, source, new FrameBlock(half * c * f * plane, f * plane, plane),
                y.Buffer, new FrameBlock(half * plane, 2 * f * plane, 2 * plane), c, f, plane);
        }
        return y;
    }

    /// <summary>Transposes x [C, F, H, W] into one row per pixel: [F·H·W, C].</summary>
    /// <exception cref="ArgumentException">x is not [C, F, H, W].</exception>
    public Tensor PixelsToRows(Tensor x)
    {
        var (c, f, h, w) = VaeChecks.Video(x, "pixels to rows");
        int n = checked(f * h * w);
        var y = Allocate(new Shape(n, c));
        VaeLayoutOps.Transpose(Device, Element, Cuda(x).Buffer, y.Buffer, c, n);
        return y;
    }

    /// <summary>Inverse of <see cref="PixelsToRows"/>: rows [F·H·W, C] → <paramref name="shape"/> [C, F, H, W].</summary>
    /// <exception cref="ArgumentException">rows do not hold a video of that shape.</exception>
    public Tensor RowsToPixels(Tensor rows, Shape shape)
    {
        if (shape.Rank != 4 || rows.Shape != new Shape(shape[1] * shape[2] * shape[3], shape[0]))
        {
            throw new ArgumentException($"rows to pixels: rows {rows.Shape} do not hold a [C, F, H, W] = {shape} video");
        }
        var y = Allocate(shape);
        VaeLayoutOps.Transpose(Device, Element, Cuda(rows).Buffer, y.Buffer, rows.Shape[0], rows.Shape[1]);
        return y;
    }
}
