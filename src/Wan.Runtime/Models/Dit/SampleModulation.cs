using Wan.Runtime.Backends;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Models.Dit;

/// <summary>
/// One block's six modulation vectors for each of B samples (or frames), [B, D] each: the block's table [6, D] tiled
/// per sample plus the samples' time projections e0 [B·6, D], then row j of every sample gathered — Wan's
/// <c>(self.modulation + e).chunk(6, dim=1)</c> (wan/modules/model.py, WanAttentionBlock.forward), per sample.
/// </summary>
internal sealed class SampleModulation : IDisposable
{
    private readonly Tensor[] _slots = new Tensor[6];

    /// <exception cref="ArgumentException">the shapes do not fit (from the routing ops); nothing is left allocated.</exception>
    public SampleModulation(IRoutingOps b, Tensor modulation, Tensor e0, BatchModulationRows rows)
    {
        using var table = b.GatherRows(modulation, rows.BlockTile);
        using var mod = b.Add(table, e0);
        try
        {
            for (int j = 0; j < _slots.Length; j++)
            {
                _slots[j] = b.GatherRows(mod, rows.Slot(j));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Shift of the self-attention's modulated layer norm, [B, D].</summary>
    public Tensor ShiftMsa => _slots[0];

    /// <summary>Scale of the self-attention's modulated layer norm, [B, D].</summary>
    public Tensor ScaleMsa => _slots[1];

    /// <summary>Gate of the self-attention's residual add, [B, D].</summary>
    public Tensor GateMsa => _slots[2];

    /// <summary>Shift of the FFN's modulated layer norm, [B, D].</summary>
    public Tensor ShiftFfn => _slots[3];

    /// <summary>Scale of the FFN's modulated layer norm, [B, D].</summary>
    public Tensor ScaleFfn => _slots[4];

    /// <summary>Gate of the FFN's residual add, [B, D].</summary>
    public Tensor GateFfn => _slots[5];

    public void Dispose()
    {
        foreach (var slot in _slots)
        {
            slot?.Dispose();
        }
    }
}
