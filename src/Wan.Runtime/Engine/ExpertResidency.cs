namespace Wan.Runtime.Engine;

/// <summary>
/// Which DiT experts keep their weights on the device (<see cref="EngineOptions.ExpertResidency"/>; <c>wan generate
/// --experts-resident both|active</c>; <c>wan plan</c> models the same choices as <c>Planning.WeightResidency</c>).
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
}
