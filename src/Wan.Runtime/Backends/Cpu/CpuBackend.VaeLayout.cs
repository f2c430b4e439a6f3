using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends.Cpu;

public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public Tensor UpsampleNearest2x(Tensor x)
    {
        var (c, f, h, w) = VideoDims(x, "upsample input");
        var src = Cpu(x).Data;
        var dst = new float[4L * x.ElementCount];
        int w2 = 2 * w;
        ForRows(c * f, 4L * h * w, plane =>
        {
            for (int r = 0; r < h; r++)
            {
                var from = src.AsSpan((plane * h + r) * w, w);
                var to = dst.AsSpan((plane * 2 * h + 2 * r) * w2, w2);
                for (int i = 0; i < w; i++)
                {
                    to[2 * i] = from[i];
                    to[2 * i + 1] = from[i];
                }
                to.CopyTo(dst.AsSpan((plane * 2 * h + 2 * r + 1) * w2, w2));
            }
        });
        return new CpuTensor(this, new Shape(c, f, 2 * h, w2), dst);
    }

    /// <inheritdoc/>
    public Tensor ConcatFrames(Tensor a, Tensor b)
    {
        var (c, fa, h, w) = VideoDims(a, "concat frames: first");
        var (cb, fb, hb, wb) = VideoDims(b, "concat frames: second");
        if (cb != c || hb != h || wb != w)
        {
            throw new ArgumentException($"concat frames: {a.Shape} and {b.Shape} differ in channels or frame size");
        }
        int frame = h * w, f = fa + fb;
        var sa = Cpu(a).Data;
        var sb = Cpu(b).Data;
        var dst = new float[(long)c * f * frame];
        for (int ch = 0; ch < c; ch++)
        {
            sa.AsSpan(ch * fa * frame, fa * frame).CopyTo(dst.AsSpan(ch * f * frame));
            sb.AsSpan(ch * fb * frame, fb * frame).CopyTo(dst.AsSpan((ch * f + fa) * frame));
        }
        return new CpuTensor(this, new Shape(c, f, h, w), dst);
    }

    /// <inheritdoc/>
    public Tensor SliceFrames(Tensor x, int start, int count)
    {
        var (c, f, h, w) = VideoDims(x, "slice frames");
        if (start < 0 || count < 0 || start + count > f)
        {
            throw new ArgumentOutOfRangeException(nameof(start), $"slice frames: [{start}, {start + count}) outside the {f} frames of {x.Shape}");
        }
        int frame = h * w;
        var src = Cpu(x).Data;
        var dst = new float[(long)c * count * frame];
        for (int ch = 0; ch < c; ch++)
        {
            src.AsSpan((ch * f + start) * frame, count * frame).CopyTo(dst.AsSpan(ch * count * frame));
        }
        return new CpuTensor(this, new Shape(c, count, h, w), dst);
    }

    /// <inheritdoc/>
    public Tensor SliceChannels(Tensor x, int start, int count)
    {
        if (x.Shape.Rank < 1)
        {
            throw new ArgumentException($"slice channels: expected [C, ...], got {x.Shape}");
        }
        int c = x.Shape[0];
        if (start < 0 || count < 0 || start + count > c)
        {
            throw new ArgumentOutOfRangeException(nameof(start), $"slice channels: [{start}, {start + count}) outside the {c} channels of {x.Shape}");
        }
        int per = c == 0 ? 0 : checked((int)(x.ElementCount / c));
        var dims = x.Shape.ToArray();
        dims[0] = count;
        return new CpuTensor(this, new Shape(dims), Cpu(x).Data.AsSpan(start * per, count * per).ToArray());
    }

    /// <inheritdoc/>
    public Tensor InterleaveChannelHalves(Tensor x)
    {
        var (c2, f, h, w) = VideoDims(x, "interleave channel halves");
        if (c2 % 2 != 0)
        {
            throw new ArgumentException($"interleave channel halves: {x.Shape} has an odd channel count");
        }
        int c = c2 / 2, frame = h * w;
        var src = Cpu(x).Data;
        var dst = new float[x.ElementCount];
        for (int half = 0; half < 2; half++)
        {
            for (int ch = 0; ch < c; ch++)
            {
                for (int t = 0; t < f; t++)
                {
                    src.AsSpan(((half * c + ch) * f + t) * frame, frame).CopyTo(dst.AsSpan((ch * 2 * f + 2 * t + half) * frame));
                }
            }
        }
        return new CpuTensor(this, new Shape(c, 2 * f, h, w), dst);
    }

    /// <inheritdoc/>
    public Tensor PixelsToRows(Tensor x)
    {
        var (c, f, h, w) = VideoDims(x, "pixels to rows");
        int n = f * h * w;
        return new CpuTensor(this, new Shape(n, c), TransposeTiled(Cpu(x).Data, c, n));
    }

    /// <inheritdoc/>
    public Tensor RowsToPixels(Tensor rows, Shape shape)
    {
        if (shape.Rank != 4 || rows.Shape != new Shape(shape[1] * shape[2] * shape[3], shape[0]))
        {
            throw new ArgumentException($"rows to pixels: rows {rows.Shape} do not hold a [C, F, H, W] = {shape} video");
        }
        return new CpuTensor(this, shape, TransposeTiled(Cpu(rows).Data, rows.Shape[0], rows.Shape[1]));
    }

    /// <summary>[rows, cols] → [cols, rows] in 32×32 tiles.</summary>
    private static float[] TransposeTiled(float[] src, int rows, int cols)
    {
        const int tile = 32;
        var dst = new float[src.Length];
        int tilesR = (rows + tile - 1) / tile;
        ForRows(tilesR, (long)tile * cols, tr =>
        {
            int r1 = Math.Min(rows, (tr + 1) * tile);
            for (int c0 = 0; c0 < cols; c0 += tile)
            {
                int c1 = Math.Min(cols, c0 + tile);
                for (int r = tr * tile; r < r1; r++)
                {
                    for (int c = c0; c < c1; c++)
                    {
                        dst[(long)c * rows + r] = src[(long)r * cols + c];
                    }
                }
            }
        });
        return dst;
    }

    private static (int C, int F, int H, int W) VideoDims(Tensor t, string what) =>
        t.Shape.Rank == 4
            ? (t.Shape[0], t.Shape[1], t.Shape[2], t.Shape[3])
            : throw new ArgumentException($"{what}: expected [C, F, H, W], got {t.Shape}");
}
