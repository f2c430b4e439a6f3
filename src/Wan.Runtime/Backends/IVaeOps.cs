using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends;

/// <summary>
/// The op family of the Wan 3D causal VAE (<c>WanVae</c>, original <c>wan/modules/vae2_1.py</c>)
/// beyond the common ops. Videos and feature maps are [C, F, H, W]. The causal time history of a
/// convolution is the caller's business: the conv op convolves exactly the frames it is given,
/// optionally behind implicit zero frames, so a model can feed its frame cache in front.
/// </summary>
public interface IVaeOps : IBackend
{
    /// <summary>
    /// Conv3d of x [Cin, F, H, W] with weight [Cout, Cin, kt, kh, kw] and bias [Cout] (or none) →
    /// [Cout, Fo, Ho, Wo], with the zero padding and strides of <paramref name="spec"/>.
    /// </summary>
    Tensor Conv3d(Tensor x, Tensor weight, Tensor? bias, Conv3dSpec spec);

    /// <summary>
    /// The same Conv2d applied to every frame of x [Cin, F, H, W]: weight [Cout, Cin, kh, kw],
    /// bias [Cout] (or none) → [Cout, F, Ho, Wo].
    /// </summary>
    Tensor Conv2dFrames(Tensor x, Tensor weight, Tensor? bias, Conv2dSpec spec);

    /// <summary>
    /// RMS norm over the channels of x [C, ...] at every position:
    /// x / max(‖x‖₂, 1e-12) · √C · gamma[c] (PyTorch F.normalize), then SiLU when <paramref name="silu"/>.
    /// gamma has C elements (any shape).
    /// </summary>
    Tensor ChannelRmsNorm(Tensor x, Tensor gamma, bool silu);

    /// <summary>y[c, ...] = x[c, ...] · scale[c] + shift[c] for x [C, ...].</summary>
    Tensor ChannelAffine(Tensor x, Tensor scale, Tensor shift);

    /// <summary>Nearest 2× spatial upsampling of every frame: [C, F, H, W] → [C, F, 2H, 2W].</summary>
    Tensor UpsampleNearest2x(Tensor x);

    /// <summary>Frames of a [C, Fa, H, W] then of b [C, Fb, H, W] → [C, Fa + Fb, H, W].</summary>
    Tensor ConcatFrames(Tensor a, Tensor b);

    /// <summary>Frames [start, start + count) of x [C, F, H, W], copied.</summary>
    Tensor SliceFrames(Tensor x, int start, int count);

    /// <summary>Channels [start, start + count) of x [C, ...], copied.</summary>
    Tensor SliceChannels(Tensor x, int start, int count);

    /// <summary>
    /// [2C, F, H, W] → [C, 2F, H, W]: channel half 0 becomes frame 2f, half 1 frame 2f + 1
    /// (the frame doubling of the VAE's temporal upsampler).
    /// </summary>
    Tensor InterleaveChannelHalves(Tensor x);

    /// <summary>
    /// Single-head softmax attention of q [Lq, C] over k, v [Lk, C] with every key valid:
    /// softmax(scale · q·kᵀ)·v → [Lq, C], for any width C (the VAE mid block attends over all its
    /// channels in one head: 384 in Wan2.1).
    /// </summary>
    Tensor SingleHeadAttention(Tensor q, Tensor k, Tensor v, float scale);

    /// <summary>
    /// Rows [top, top + height) and columns [left, left + width) of every frame of x [C, F, H, W], copied:
    /// [C, F, height, width] (a latent tile of the tiled decode).
    /// </summary>
    Tensor CropFrames(Tensor x, int top, int left, int height, int width);

    /// <summary>
    /// The weighted sum of decoded tiles [C, F, h, w] into one video [C, F, <paramref name="height"/>,
    /// <paramref name="width"/>]: each tile's pixel (i, j) adds Video · RowWeights[i] · ColumnWeights[j] at
    /// (Top + i, Left + j); zeros where no tile reaches. With weights that ramp linearly across each overlap
    /// and sum to 1, the seams are blended linearly.
    /// </summary>
    Tensor BlendTiles(IReadOnlyList<VideoTile> tiles, int height, int width);

    /// <summary>Transposes x [C, F, H, W] into one row per pixel: [F·H·W, C].</summary>
    Tensor PixelsToRows(Tensor x);

    /// <summary>Inverse of <see cref="PixelsToRows"/>: rows [F·H·W, C] → <paramref name="shape"/> [C, F, H, W].</summary>
    Tensor RowsToPixels(Tensor rows, Shape shape);
}
