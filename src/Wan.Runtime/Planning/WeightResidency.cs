namespace Wan.Runtime.Planning;

/// <summary>Which DiT weights stay on the GPU, from most to least memory (the plan picks the first that fits).</summary>
public enum WeightResidency
{
    /// <summary>Both experts resident for the whole generation (recorded by the dry run).</summary>
    BothExperts,

    /// <summary>Only the active expert resident; the next one is copied in at the switch, prefetched during the last high-noise step (modelled).</summary>
    ActiveExpert,

    /// <summary>
    /// Both experts' non-block weights resident; their transformer blocks streamed from the mapped file through two
    /// pinned staging buffers into two device block slots on a copy stream, block i+1 copying while block i computes
    /// both CFG branches (recorded by a dry run of the streamed DiT; the PCIe time is modelled).
    /// </summary>
    StreamedBlocks,
}
