using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends.Cpu;

public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public Tensor CropFrames(Tensor x, int top, int left, int height, int width)
    {
        var (c, f, h, w) = VaeChecks.Crop(x, top, left, height, width);
        var src = Cpu(x).Data;
        var dst = new float[checked((long)c * f * height * width)];
        for (long plane = 0; plane < (long)c * f; plane++)
        {
            for (int r = 0; r < height; r++)
            {
                src.AsSpan(checked((int)((plane * h + top + r) * w + left)), width).CopyTo(dst.AsSpan(checked((int)((plane * height + r) * width))));
            }
        }
        return new CpuTensor(this, new Shape(c, f, height, width), dst);
    }

    /// <inheritdoc/>
    public Tensor BlendTiles(IReadOnlyList<VideoTile> tiles, int height, int width)
    {
        var (c, f) = VaeChecks.Tiles(tiles, height, width);
        var dst = new float[checked((long)c * f * height * width)];
        foreach (var tile in tiles)
        {
            var src = Cpu(tile.Video).Data;
            int th = tile.Video.Shape[2], tw = tile.Video.Shape[3];
            for (long plane = 0; plane < (long)c * f; plane++)
            {
                for (int r = 0; r < th; r++)
                {
                    long from = (plane * th + r) * tw, to = (plane * height + tile.Top + r) * width + tile.Left;
                    for (int col = 0; col < tw; col++)
                    {
                        dst[to + col] = MathF.FusedMultiplyAdd(src[from + col], tile.RowWeights[r] * tile.ColumnWeights[col], dst[to + col]);
                    }
                }
            }
        }
        return new CpuTensor(this, new Shape(c, f, height, width), dst);
    }
}
