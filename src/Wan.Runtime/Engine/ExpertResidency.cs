namespace Wan.Runtime.Engine;

/// <summary>
/// Which DiT experts keep their weights on the device (<see cref="EngineOptions.ExpertResidency"/>; <c>wan generate
/// --experts-resident both|active|streamed</c>; <c>wan plan</c> models the same choices as <c>Planning.WeightResidency</c>).
/// </summary>
public enum ExpertResidency
{
    /// <summary>Both experts loaded at open and resident for the engine's lifetime (the default; no reload cost).</summary>
    Both,

    /// <summary>
    /// Only the expert of the running step resident: each expert's weights are loaded (from the memory-mapped checkpoint)
    /// when its first step begins and released at the expert switch before the other one loads, so the device never
    /// holds both. The last-used expert stays resident between requests: a request that starts with it reloads nothing,
    /// one that starts with the other pays one release and one load (two loads per two-expert request in the worst case).
    /// The engine opens with no expert resident (each is loaded once at open to check its checkpoint, then released).
    /// </summary>
    Active,

    /// <summary>
    /// Below one expert: the weights outside the transformer blocks stay resident, the blocks stream from the
    /// memory-mapped checkpoint through two pinned staging buffers into two device block slots, uploaded on the
    /// device's copy stream so that block i + 1 copies while block i computes; block 0 of the next forward (the next
    /// expert's at the switch) is prefetched during the last block (Models/Dit/BlockStreamer.cs). The results equal
    /// the resident ones bit for bit on the same step path (both uncaptured: StreamedResidencyTests); the default
    /// resident path replays a captured graph of the two CFG forwards, which rounds differently from the batched CFG
    /// forward a streamed step runs (bf16 video at 48×64 on the emulated device: mean 0.6/255). Needs a CUDA backend over a device with a copy stream (a GPU or the emulated
    /// device; the CPU backend is refused when the engine is built). Streamed steps are not graph-captured; the batched
    /// classifier-free-guidance forward reads each block once per step, the two direct forwards (LoRA, step cache,
    /// attention window) twice. LoRA sets bind unmerged (a merged weight would be a resident copy of a streamed one);
    /// a LoRA that replaces a block parameter (a full delta) is refused.
    /// </summary>
    Streamed,
}
