using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends;

/// <summary>The op of the unmerged LoRA path (a DiT op: the lead folds it into the DiT family).</summary>
public partial interface IBackend
{
    /// <summary>
    /// y[N, M] = x[N, K] · weight[M, K]ᵀ + (x · down[R, K]ᵀ) · up[M, R]ᵀ + bias[M]: a linear plus a
    /// low-rank update, as two skinny GEMMs beside the base one, the weight untouched (mapped, bf16 or
    /// fp8-dequantized). Several adapters are batched by concatenating their A's along the rank
    /// (down = [A₁; A₂; ...]) and their scaled B's (up = [s₁B₁ | s₂B₂ | ...]); scales live in
    /// <paramref name="up"/>. Follows PEFT <c>lora.Linear.forward</c> (result + lora_B(lora_A(x)) · scaling).
    /// </summary>
    /// <exception cref="ArgumentException">Shapes that do not chain: weight [M, K], down [R, K], up [M, R], bias [M].</exception>
    Tensor LowRankLinear(Tensor x, Tensor weight, Tensor? bias, Tensor down, Tensor up);
}
