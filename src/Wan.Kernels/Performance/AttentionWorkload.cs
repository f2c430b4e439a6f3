namespace Wan.Kernels.Performance;

/// <summary>One attention launch shape repeated <paramref name="Launches"/> times per forward.</summary>
/// <param name="Name">what it is, e.g. "self-attention".</param>
/// <param name="QueryRows">Lq.</param>
/// <param name="Keys">valid keys Lk.</param>
/// <param name="Heads">heads.</param>
/// <param name="HeadDim">head_dim.</param>
/// <param name="Launches">launches per forward (one per layer).</param>
public sealed record AttentionWorkload(string Name, long QueryRows, long Keys, int Heads, int HeadDim, int Launches)
{
    /// <summary>Useful FLOPs of all launches: 4·Lq·Lk·heads·head_dim each (Q·Kᵀ and P·V).</summary>
    public double Flops => 4.0 * QueryRows * Keys * Heads * HeadDim * Launches;

    /// <summary>Minimum DRAM bytes of all launches: Q, K, V read and O written once in 16-bit storage.</summary>
    public double Bytes => 2.0 * (2 * QueryRows + 2 * Keys) * Heads * HeadDim * Launches;
}
