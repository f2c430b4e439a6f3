using Wan.Runtime.Tensors;
using Wan.Runtime.Weights.Storage;

namespace Wan.Runtime.Weights.Transforms;

/// <summary>
/// fp8 weights as <c>wan-convert --dtype fp8</c> writes them: the E4M3 tensor NAME plus a float32
/// NAME_scale of shape [1] (per tensor) or [rows] (per output channel); value = code · scale.
/// Sources attach the scale to the tensor (<see cref="WithCompanionScale"/>); loaders dequantise it
/// with <see cref="Fp8DequantizedTensor"/> (the backends have no fp8 GEMM yet).
/// </summary>
public static class ScaledFp8
{
    /// <summary>Suffix of the scale tensor stored beside an fp8 weight.</summary>
    public const string ScaleSuffix = "_scale";

    /// <summary>Whether <paramref name="dtype"/> is one of the 8-bit float types.</summary>
    public static bool IsFp8(DType dtype) => dtype is DType.F8E4M3 or DType.F8E5M2;

    /// <summary>
    /// <paramref name="tensor"/> with the scale of its NAME_scale companion in <paramref name="source"/>
    /// attached when it is fp8 and the companion exists; otherwise the tensor itself. Throws
    /// <see cref="InvalidDataException"/> naming the location when the scale's size fits neither 1 nor the rows.
    /// </summary>
    public static StoredTensor WithCompanionScale(ITensorSource source, StoredTensor tensor)
    {
        var scaleName = tensor.Name + ScaleSuffix;
        if (!IsFp8(tensor.DType) || tensor.Scale is not null || !source.Contains(scaleName))
        {
            return tensor;
        }
        var scale = source.Get(scaleName);
        if (!scale.DType.IsFloat())
        {
            throw new InvalidDataException($"{source.Location}: '{scaleName}' has dtype {scale.DType}, not a float type");
        }
        return new ScaledView(tensor, new TensorScale(scale.ToFloatArray()));
    }

    /// <summary>The same bytes with a scale attached.</summary>
    private sealed class ScaledView(StoredTensor inner, TensorScale scale)
        : StoredTensor(inner.Name, inner.DType, inner.Shape, inner.Location, scale)
    {
        public override StoredBytes Acquire() => inner.Acquire();

        public override Stream OpenRead() => inner.OpenRead();
    }
}
