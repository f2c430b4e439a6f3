using Wan.Runtime.Tensors;

namespace Wan.Runtime.Lora;

/// <summary>
/// One low-rank adapter of a LoRA file: ΔW = (alpha / rank) · B · A for the linear <see cref="Module"/>,
/// A = <c>lora_A</c>/<c>lora_down</c> [rank, in], B = <c>lora_B</c>/<c>lora_up</c> [out, rank].
/// </summary>
/// <param name="Module">The adapted linear, diffusers name (e.g. <c>blocks.0.attn1.to_q</c>).</param>
/// <param name="DownKey">Tensor name of A in the file.</param>
/// <param name="UpKey">Tensor name of B in the file.</param>
/// <param name="Rank">r.</param>
/// <param name="Inputs">in (columns of the adapted weight).</param>
/// <param name="Outputs">out (rows of the adapted weight).</param>
/// <param name="Alpha">The stored alpha, null when the file has none (scale 1).</param>
/// <param name="DType">Storage dtype of A and B.</param>
public sealed record LoraModule(string Module, string DownKey, string UpKey, int Rank, int Inputs, int Outputs, float? Alpha, DType DType)
{
    /// <summary>alpha / rank, or 1 without alpha (diffusers folds exactly this into A and B at load time).</summary>
    public float Scale => Alpha is { } a ? a / Rank : 1f;
}

/// <summary>
/// One full delta of a LoRA file (<c>.diff</c> of a weight, <c>.diff_b</c> of a bias): P' = P + s · delta.
/// </summary>
/// <param name="Parameter">The changed parameter, diffusers name (e.g. <c>proj_out.weight</c>, <c>blocks.0.norm2.bias</c>).</param>
/// <param name="Key">Tensor name in the file.</param>
/// <param name="Shape">Shape of the delta (= the parameter's).</param>
/// <param name="IsNorm">Whether it changes a normalisation layer (diffusers drops these).</param>
/// <param name="IsLinearWeightDiff">Whether it is a <c>.diff</c> of a linear weight (diffusers keeps only <c>head.head</c>'s).</param>
public sealed record LoraDelta(string Parameter, string Key, Shape Shape, bool IsNorm, bool IsLinearWeightDiff)
{
    /// <summary>
    /// Whether the delta is applied under <paramref name="semantics"/>: always for <see cref="LoraMergeSemantics.AllDeltas"/>;
    /// for <see cref="LoraMergeSemantics.Diffusers"/> not for norms nor for weight diffs of linears other than <c>proj_out</c>
    /// (diffusers 58eb52c0 <c>_convert_non_diffusers_wan_lora_to_diffusers</c>).
    /// </summary>
    public bool AppliedUnder(LoraMergeSemantics semantics) =>
        semantics == LoraMergeSemantics.AllDeltas || (!IsNorm && !(IsLinearWeightDiff && Parameter != "proj_out.weight"));
}
