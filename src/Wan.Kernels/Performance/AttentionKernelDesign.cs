namespace Wan.Kernels.Performance;

/// <summary>
/// What the performance model needs to know about one tensor-core attention kernel: its tiling and,
/// by replaying the kernel's shared-memory address expressions for every warp of a block, its
/// shared-memory traffic per K/V tile and once per block. The expressions are transcribed from
/// kernels/cuda/attention.cu (the same names), so a change of layout there must be repeated here.
/// </summary>
public abstract class AttentionKernelDesign
{
    /// <summary>Bytes per 16-bit element.</summary>
    protected const int ElementBytes = 2;

    /// <summary>Short name for tables.</summary>
    public abstract string Name { get; }

    /// <summary>Query rows per block.</summary>
    public abstract int BlockRows { get; }

    /// <summary>Keys per K/V tile (the unit the block loads and iterates over).</summary>
    public abstract int TileKeys { get; }

    /// <summary>Threads per block.</summary>
    public abstract int Threads { get; }

    /// <summary>Dynamic shared memory per block in bytes for <paramref name="headDim"/>.</summary>
    public abstract int SharedBytes(int headDim);

    /// <summary>Replays the shared-memory instructions of every warp for one K/V tile.</summary>
    public abstract void ReplayTile(int headDim, SharedTrafficRecorder recorder);

    /// <summary>Replays the shared-memory instructions every block runs once (the Q tile).</summary>
    public abstract void ReplayBlockOnce(int headDim, SharedTrafficRecorder recorder);

    /// <summary>Bytes a block reads from L2 per K/V tile: the K and V tiles.</summary>
    public long L2BytesPerTile(int headDim) => 2L * TileKeys * headDim * ElementBytes;

    /// <summary>Bytes a block moves once: its Q tile in, its O tile out.</summary>
    public long L2BytesPerBlock(int headDim) => 2L * BlockRows * headDim * ElementBytes;

    /// <summary>Tensor-core FLOPs of one tile for the whole block (S = Q·Kᵀ and O += P·V, padding included).</summary>
    public long FlopsPerTile(int headDim) => 4L * BlockRows * TileKeys * headDim;

    /// <summary>Exponentials of one tile (one per score; the per-row corrections are negligible).</summary>
    public long ExpsPerTile => (long)BlockRows * TileKeys;
}
