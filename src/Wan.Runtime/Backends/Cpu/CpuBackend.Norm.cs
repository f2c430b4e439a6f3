using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends.Cpu;

public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public Tensor RmsNorm(Tensor x, Tensor weight, float eps)
    {
        var (rows, d) = Matrix(x, "rms_norm input");
        Vector(weight, d, "rms_norm weight");
        var src = Cpu(x).Data;
        var w = Cpu(weight).Data;
        var y = NewLike(x);
        var dst = y.Data;
        ForRows(rows, d, r => RmsNormRow(src.AsSpan(r * d, d), w, eps, dst.AsSpan(r * d, d)));
        return y;
    }

    internal static void RmsNormRow(ReadOnlySpan<float> x, ReadOnlySpan<float> w, float eps, Span<float> y)
    {
        var inv = 1f / MathF.Sqrt(TensorPrimitives.SumOfSquares(x) / x.Length + eps);
        TensorPrimitives.Multiply(x, inv, y);
        TensorPrimitives.Multiply(y, w, y);
    }

    /// <inheritdoc/>
    public Tensor LayerNorm(Tensor x, Tensor? weight, Tensor? bias, float eps)
    {
        var (rows, d) = Matrix(x, "layer_norm input");
        if (weight is not null)
        {
            Vector(weight, d, "layer_norm weight");
        }
        if (bias is not null)
        {
            Vector(bias, d, "layer_norm bias");
        }
        var src = Cpu(x).Data;
        var w = weight is null ? null : Cpu(weight).Data;
        var b = bias is null ? null : Cpu(bias).Data;
        var y = NewLike(x);
        var dst = y.Data;
        ForRows(rows, d, r =>
        {
            var row = dst.AsSpan(r * d, d);
            NormalizeRow(src.AsSpan(r * d, d), eps, row);
            if (w is not null)
            {
                TensorPrimitives.Multiply(row, w, row);
            }
            if (b is not null)
            {
                TensorPrimitives.Add(row, b, row);
            }
        });
        return y;
    }

    /// <inheritdoc/>
    public Tensor ModulatedLayerNorm(Tensor x, Tensor shift, Tensor scale, float eps)
    {
        var (rows, d) = Matrix(x, "modulated layer_norm input");
        Vector(shift, d, "modulation shift");
        Vector(scale, d, "modulation scale");
        var src = Cpu(x).Data;
        var onePlusScale = new float[d];
        TensorPrimitives.Add(Cpu(scale).Data, 1f, onePlusScale);
        var sh = Cpu(shift).Data;
        var y = NewLike(x);
        var dst = y.Data;
        ForRows(rows, d, r =>
        {
            var row = dst.AsSpan(r * d, d);
            NormalizeRow(src.AsSpan(r * d, d), eps, row);
            TensorPrimitives.FusedMultiplyAdd(row, onePlusScale, sh, row);
        });
        return y;
    }

    /// <summary>(x − mean) / sqrt(var + eps) with the biased variance (as PyTorch), two vectorised passes.</summary>
    private static void NormalizeRow(ReadOnlySpan<float> x, float eps, Span<float> y)
    {
        float mean = TensorPrimitives.Sum(x) / x.Length;
        TensorPrimitives.Subtract(x, mean, y);
        var inv = 1f / MathF.Sqrt(TensorPrimitives.SumOfSquares(y) / x.Length + eps);
        TensorPrimitives.Multiply(y, inv, y);
    }
}
