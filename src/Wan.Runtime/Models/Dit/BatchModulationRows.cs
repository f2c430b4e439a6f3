using Wan.Runtime.Backends;

namespace Wan.Runtime.Models.Dit;

/// <summary>
/// The routing tables a batched forward of B samples reuses in every block: one tiles a block's
/// modulation table [6, D] to [B·6, D] (sample-major, so it lines up with the time projections
/// e0 [B, 6·D] viewed as [B·6, D]); <see cref="Slot"/>(j) picks row j of each sample's six → [B, D];
/// <see cref="HeadTile"/>(j) tiles row j of the head's table [2, D] to [B, D].
/// </summary>
internal sealed class BatchModulationRows : IDisposable
{
    private readonly RowIndex[] _slots, _headTiles;

    public BatchModulationRows(IRoutingOps b, int samples)
    {
        Samples = samples;
        var tile = new int[samples * 6];
        for (int i = 0; i < tile.Length; i++)
        {
            tile[i] = i % 6;
        }
        BlockTile = b.UploadRowIndex(tile, 6);
        _slots = [.. Enumerable.Range(0, 6).Select(j => b.UploadRowIndex([.. Enumerable.Range(0, samples).Select(s => s * 6 + j)], samples * 6))];
        _headTiles = [.. Enumerable.Range(0, 2).Select(j => b.UploadRowIndex([.. Enumerable.Repeat(j, samples)], 2))];
    }

    /// <summary>Samples in the batch (B).</summary>
    public int Samples { get; }

    /// <summary>[B·6] rows of a [6, D] table: row s·6 + j is table row j.</summary>
    public RowIndex BlockTile { get; }

    /// <summary>Row j (0..5: shift, scale, gate of attention, then of the FFN) of every sample's [6, D] in [B·6, D].</summary>
    public RowIndex Slot(int j) => _slots[j];

    /// <summary>Row j (0: shift, 1: scale) of the head's [2, D] table, once per sample.</summary>
    public RowIndex HeadTile(int j) => _headTiles[j];

    public void Dispose()
    {
        BlockTile.Dispose();
        foreach (var r in _slots.Concat(_headTiles))
        {
            r.Dispose();
        }
    }
}
