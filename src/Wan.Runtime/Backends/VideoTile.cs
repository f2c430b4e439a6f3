using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends;

/// <summary>
/// One decoded tile for <see cref="IVaeOps.BlendTiles"/>: <paramref name="Video"/> [C, F, h, w] placed with its
/// top-left corner at (<paramref name="Top"/>, <paramref name="Left"/>) of the blended video, weighted by
/// <paramref name="RowWeights"/>[i] · <paramref name="ColumnWeights"/>[j] at its pixel (i, j) (h and w values).
/// </summary>
public sealed record VideoTile(Tensor Video, int Top, int Left, float[] RowWeights, float[] ColumnWeights);
