using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends;

/// <summary>The output size of a VAE convolution: [Cout, Fo, Ho, Wo] from input [Cin, F, H, W].</summary>
internal readonly record struct ConvExtent(int Cin, int F, int H, int W, int Cout, int OutF, int OutH, int OutW)
{
    /// <summary>Output positions per channel: Fo·Ho·Wo.</summary>
    public int OutPlane => checked(OutF * OutH * OutW);
}

/// <summary>The shape checks of the <see cref="IVaeOps"/> family: each throws naming the op and the shapes.</summary>
internal static class VaeChecks
{
    /// <summary>The kernel (kt, kh, kw) of a Conv3d: x [Cin, F, H, W], weight [Cout, Cin, kt, kh, kw].</summary>
    /// <exception cref="ArgumentException">the ranks do not fit.</exception>
    public static (int T, int H, int W) Conv3dKernel(Tensor x, Tensor weight) =>
        x.Shape.Rank == 4 && weight.Shape.Rank == 5
            ? (weight.Shape[2], weight.Shape[3], weight.Shape[4])
            : throw new ArgumentException($"conv3d: input {x.Shape} must be [Cin, F, H, W] and weight {weight.Shape} [Cout, Cin, kt, kh, kw]");

    /// <summary>The one-frame kernel (1, kh, kw) of a per-frame Conv2d: x [Cin, F, H, W], weight [Cout, Cin, kh, kw].</summary>
    /// <exception cref="ArgumentException">the ranks do not fit.</exception>
    public static (int T, int H, int W) Conv2dKernel(Tensor x, Tensor weight) =>
        x.Shape.Rank == 4 && weight.Shape.Rank == 4
            ? (1, weight.Shape[2], weight.Shape[3])
            : throw new ArgumentException($"conv2d: input {x.Shape} must be [Cin, F, H, W] and weight {weight.Shape} [Cout, Cin, kh, kw]");

    /// <summary>
    /// Checks a convolution of x [Cin, F, H, W] with weight [Cout, Cin, ...] (kernel <paramref name="kernel"/>),
    /// bias [Cout] or none and geometry <paramref name="s"/>; returns its extents.
    /// </summary>
    public static ConvExtent Conv(Tensor x, Tensor weight, Tensor? bias, (int T, int H, int W) kernel, Conv3dSpec s, string op)
    {
        int cin = x.Shape[0], f = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        int cout = weight.Shape[0];
        if (weight.Shape[1] != cin)
        {
            throw new ArgumentException($"{op}: weight {weight.Shape} expects {weight.Shape[1]} input channels, input {x.Shape} has {cin}");
        }
        if (s.StrideT < 1 || s.StrideH < 1 || s.StrideW < 1 || s.PadFront < 0 || s.PadTop < 0 || s.PadBottom < 0 || s.PadLeft < 0 || s.PadRight < 0)
        {
            throw new ArgumentException($"{op}: invalid geometry {s}");
        }
        if (bias is not null)
        {
            OpChecks.Vector(bias, cout, $"{op} bias");
        }
        int fo = OutputExtent(s.PadFront + (long)f, kernel.T, s.StrideT);
        int ho = OutputExtent((long)s.PadTop + h + s.PadBottom, kernel.H, s.StrideH);
        int wo = OutputExtent((long)s.PadLeft + w + s.PadRight, kernel.W, s.StrideW);
        if (cout < 1 || fo < 1 || ho < 1 || wo < 1)
        {
            throw new ArgumentException($"{op}: input {x.Shape} with {s} is smaller than the kernel {kernel} (or the weight {weight.Shape} has no outputs)");
        }
        return new ConvExtent(cin, f, h, w, cout, fo, ho, wo);
    }

    /// <summary>A [C, F, H, W] tensor's dimensions.</summary>
    public static (int C, int F, int H, int W) Video(Tensor t, string what) =>
        t.Shape.Rank == 4
            ? (t.Shape[0], t.Shape[1], t.Shape[2], t.Shape[3])
            : throw new ArgumentException($"{what}: expected [C, F, H, W], got {t.Shape}");

    /// <summary>Views a tensor as [C = first dim, everything else], C &gt; 0.</summary>
    public static (int Channels, long Positions) Channels(Tensor t, string what) =>
        t.Shape.Rank < 2 || t.Shape[0] == 0
            ? throw new ArgumentException($"{what}: expected [C, ...] with C > 0, got {t.Shape}")
            : (t.Shape[0], t.ElementCount / t.Shape[0]);

    /// <summary>q [Lq, C], k and v [Lk, C] of one width C ≥ 1, Lq and Lk ≥ 1.</summary>
    public static (int QueryRows, int KeyRows, int Width) SingleHeadAttention(Tensor q, Tensor k, Tensor v)
    {
        if (q.Shape.Rank != 2 || k.Shape.Rank != 2 || k.Shape != v.Shape || q.Shape[1] != k.Shape[1]
            || q.Shape[0] < 1 || k.Shape[0] < 1 || q.Shape[1] < 1)
        {
            throw new ArgumentException($"single-head attention: q {q.Shape}, k {k.Shape}, v {v.Shape} must be [Lq, C], [Lk, C], [Lk, C] with L, C ≥ 1");
        }
        return (q.Shape[0], k.Shape[0], q.Shape[1]);
    }

    /// <summary>A window of the frames of x [C, F, H, W]: positive size, inside the frame.</summary>
    public static (int C, int F, int H, int W) Crop(Tensor x, int top, int left, int height, int width)
    {
        var (c, f, h, w) = Video(x, "crop frames");
        if (top < 0 || left < 0 || height < 1 || width < 1 || (long)top + height > h || (long)left + width > w)
        {
            throw new ArgumentOutOfRangeException(nameof(top), $"crop frames: window at ({top}, {left}) of {height}×{width} leaves the {h}×{w} frames of {x.Shape}");
        }
        return (c, f, h, w);
    }

    /// <summary>Tiles of one channel and frame count, each inside the [height, width] frame with one weight per row and column; returns (C, F).</summary>
    public static (int C, int F) Tiles(IReadOnlyList<VideoTile> tiles, int height, int width)
    {
        if (tiles.Count == 0 || height < 1 || width < 1)
        {
            throw new ArgumentException($"blend tiles: {tiles.Count} tiles into {height}×{width}: need at least one tile and a positive size");
        }
        var (c, f, _, _) = Video(tiles[0].Video, "blend tiles: tile 0");
        for (int i = 0; i < tiles.Count; i++)
        {
            var t = tiles[i];
            var (tc, tf, th, tw) = Video(t.Video, $"blend tiles: tile {i}");
            if (tc != c || tf != f)
            {
                throw new ArgumentException($"blend tiles: tile {i} {t.Video.Shape} differs from tile 0 {tiles[0].Video.Shape} in channels or frames");
            }
            if (t.Top < 0 || t.Left < 0 || (long)t.Top + th > height || (long)t.Left + tw > width)
            {
                throw new ArgumentOutOfRangeException(nameof(tiles), $"blend tiles: tile {i} {t.Video.Shape} at ({t.Top}, {t.Left}) leaves the {height}×{width} frame");
            }
            if (t.RowWeights.Length != th || t.ColumnWeights.Length != tw)
            {
                throw new ArgumentException($"blend tiles: tile {i} {t.Video.Shape} has {t.RowWeights.Length} row and {t.ColumnWeights.Length} column weights");
            }
        }
        return (c, f);
    }

    private static int OutputExtent(long padded, int kernel, int stride) => padded < kernel ? 0 : checked((int)((padded - kernel) / stride + 1));
}
