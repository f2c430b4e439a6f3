namespace Wan.Runtime.Lora;

/// <summary>
/// How a LoRA set is applied; both give the same numbers (to the storage precision).
/// <list type="bullet">
/// <item><see cref="Unmerged"/>: y = x·Wᵀ + Σᵢ sᵢ·((x·Aᵢᵀ)·Bᵢᵀ) at run time, two skinny GEMMs per adapted linear;
/// the base weights stay untouched, so requests can switch styles with no reload.</item>
/// <item><see cref="Merged"/>: W' = W + Σᵢ sᵢ·Bᵢ·Aᵢ (+ diff) computed once per set into backend memory and
/// cached: no per-step overhead, one extra copy of every adapted weight.</item>
/// <item><see cref="Auto"/>: unmerged on the CPU backend; elsewhere <see cref="LoraAdapters.AutoMergeAfter"/>
/// consecutive requests with the same set (or <see cref="LoraAdapters.SingleRequest"/>) switch to merged.</item>
/// </list>
/// </summary>
public enum LoraMode
{
    /// <summary>Choose by the rule of <see cref="LoraAdapters.AutoMergeAfter"/>.</summary>
    Auto,

    /// <summary>Merged weights, cached per LoRA set.</summary>
    Merged,

    /// <summary>Low-rank GEMMs at run time over the untouched base weights.</summary>
    Unmerged,
}
