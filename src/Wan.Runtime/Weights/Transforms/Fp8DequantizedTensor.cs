using Wan.Runtime.Tensors;

namespace Wan.Runtime.Weights.Transforms;

/// <summary>
/// An fp8 weight (E4M3 or E5M2) and its scale as the float32 values they stand for: code · scale,
/// per tensor or per output channel (see <see cref="ScaledFp8"/>).
/// </summary>
public sealed class Fp8DequantizedTensor : TransformedTensor
{
    /// <summary>
    /// Throws <see cref="InvalidDataException"/> naming the location when <paramref name="source"/> is
    /// not fp8 or carries no scale (its codes alone do not give the weight's values).
    /// </summary>
    public Fp8DequantizedTensor(StoredTensor source)
        : base(RequireScaledFp8(source), DType.F32)
    {
    }

    private static StoredTensor RequireScaledFp8(StoredTensor source)
    {
        if (!ScaledFp8.IsFp8(source.DType))
        {
            throw new InvalidDataException($"{source.Location}: '{source.Name}' is {source.DType}, not fp8");
        }
        if (source.Scale is null)
        {
            throw new InvalidDataException(
                $"{source.Location}: fp8 weight '{source.Name}' has no '{source.Name}{ScaledFp8.ScaleSuffix}' tensor, so its values cannot be scaled back");
        }
        return source;
    }
}
