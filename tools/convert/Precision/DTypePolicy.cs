using Wan.Convert.Weights;
using Wan.Runtime.Tensors;
using Wan.Runtime.Weights;

namespace Wan.Convert.Precision;

/// <summary>
/// Which dtype each converted tensor gets. Only weight matrices and convolution kernels follow the
/// requested precision; biases, norm weights/gammas, modulation tables and T5's relative position
/// biases stay float32 (they are tiny and sensitive). The VAE stays float32 (the official pipeline
/// runs it in fp32). FP8 applies to 2-D linear weights of the DiT and T5 except the token embedding
/// (a lookup table); other reduced tensors fall back to bf16 in fp8 mode.
/// </summary>
public sealed class DTypePolicy(TargetPrecision precision)
{
    public TargetPrecision Precision { get; } = precision;

    public bool IsFp8 => Precision is TargetPrecision.Fp8PerTensor or TargetPrecision.Fp8PerChannel;

    /// <summary>Target dtype for <paramref name="diffusersName"/> of a component kind.</summary>
    public DType TargetFor(ComponentKind kind, string diffusersName, StoredTensor source)
    {
        if (!source.DType.IsFloat())
        {
            return source.DType;
        }
        if (Precision == TargetPrecision.Fp32 || kind == ComponentKind.Vae || KeepsHighPrecision(diffusersName))
        {
            return DType.F32;
        }
        return Precision switch
        {
            TargetPrecision.Bf16 => DType.BF16,
            TargetPrecision.Fp16 => DType.F16,
            _ => source.Shape.Rank == 2 && diffusersName != "shared.weight" ? DType.F8E4M3 : DType.BF16,
        };
    }

    public static bool KeepsHighPrecision(string name) =>
        name.EndsWith(".bias", StringComparison.Ordinal)
        || name.EndsWith(".gamma", StringComparison.Ordinal)
        || name.Contains("norm", StringComparison.Ordinal)
        || name.Contains("scale_shift_table", StringComparison.Ordinal)
        || name.Contains("relative_attention_bias", StringComparison.Ordinal);
}
