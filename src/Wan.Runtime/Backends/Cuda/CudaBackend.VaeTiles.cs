using Wan.Kernels.Ops;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends.Cuda;

public sealed partial class CudaBackend
{
    /// <summary>
    /// Rows [top, top + height) and columns [left, left + width) of every frame of x [C, F, H, W], copied:
    /// [C, F, height, width] (one window-copy kernel, kernels/cuda/vae_tiles.cu).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">the window is empty or leaves the frames.</exception>
    public Tensor CropFrames(Tensor x, int top, int left, int height, int width)
    {
        var (c, f, h, w) = VaeChecks.Crop(x, top, left, height, width);
        var y = Allocate(new Shape(c, f, height, width));
        VaeTileOps.WindowCopy(Device, Element, Cuda(x).Buffer, y.Buffer, (long)c * f, (h, w), (top, left, height, width));
        return y;
    }

    /// <summary>
    /// The weighted sum of decoded tiles into one video [C, F, height, width] (see <see cref="IVaeOps.BlendTiles"/>):
    /// the output zeroed, then one accumulate kernel per tile (fp32 math, one rounding per tile), its weights
    /// uploaded as two small fp32 vectors.
    /// </summary>
    /// <exception cref="ArgumentException">the tiles differ in channels or frames, leave the frame, or have the wrong weight counts.</exception>
    public Tensor BlendTiles(IReadOnlyList<VideoTile> tiles, int height, int width)
    {
        var (c, f) = VaeChecks.Tiles(tiles, height, width);
        var y = Allocate(new Shape(c, f, height, width));
        try
        {
            Device.Memset(y.Buffer, 0);
            foreach (var tile in tiles)
            {
                using var rows = (CudaTensor)FromHostF32(tile.RowWeights, new Shape(tile.RowWeights.Length));
                using var columns = (CudaTensor)FromHostF32(tile.ColumnWeights, new Shape(tile.ColumnWeights.Length));
                var shape = tile.Video.Shape;
                VaeTileOps.AccumulateTile(Device, Element, Cuda(tile.Video).Buffer, rows.Buffer, columns.Buffer, y.Buffer, (long)c * f,
                    (height, width), (tile.Top, tile.Left, shape[2], shape[3]));
            }
            return y;
        }
        catch
        {
            y.Dispose();
            throw;
        }
    }
}
