using Wan.Runtime.Tensors;

namespace Wan.Runtime.Weights;

/// <summary>
/// fp8 weights as `wan-convert --dtype fp8` writes them: the E4M3 tensor NAME plus a float32
/// NAME_scale of shape [1] (per tensor) or [rows] (per output channel); value = code · scale.
/// Dequantized to float32 when loaded (the CUDA and CPU backends have no fp8 GEMM yet).
/// </summary>
public static class ScaledFp8
{
    public const string ScaleSuffix = "_scale";

    public static bool IsFp8(DType dtype) => dtype is DType.F8E4M3 or DType.F8E5M2;

    public static float[] Dequantize(ITensorSource source, SafetensorsTensor weight)
    {
        var scaleName = weight.Name + ScaleSuffix;
        if (!source.Contains(scaleName))
        {
            throw new InvalidDataException(
                $"{source.Location}: fp8 weight '{weight.Name}' has no '{scaleName}' tensor, so its values cannot be scaled back");
        }
        var scales = source.Get(scaleName).ToFloatArray();
        int rows = weight.Shape.Rank == 0 ? 1 : weight.Shape[0];
        if (scales.Length != 1 && scales.Length != rows)
        {
            throw new InvalidDataException(
                $"{source.Location}: '{scaleName}' has {scales.Length} values; fp8 weight '{weight.Name}' {weight.Shape} needs 1 or {rows}");
        }
        var values = weight.ToFloatArray();
        long rowLength = rows == 0 ? 0 : values.LongLength / rows;
        for (long i = 0; i < values.LongLength; i++)
        {
            values[i] *= scales.Length == 1 ? scales[0] : scales[i / rowLength];
        }
        return values;
    }
}
