using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends.Cpu;

public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public Tensor ChannelRmsNorm(Tensor x, Tensor gamma, bool silu)
    {
        var (c, n) = ChannelRows(x, "channel rms_norm input");
        Vector(gamma, c, "channel rms_norm gamma");
        var src = Cpu(x).Data;
        var g = Cpu(gamma).Data;
        var y = NewLike(x);
        var dst = y.Data;
        float sqrtC = MathF.Sqrt(c);
        ForChunks(n, (start, length) =>
        {
            // Sum of squares over the channels of every position in the chunk, channel row by channel row.
            var factor = new float[length];
            for (int ch = 0; ch < c; ch++)
            {
                var row = src.AsSpan(ch * n + start, length);
                TensorPrimitives.FusedMultiplyAdd(row, row, factor, factor);
            }
            for (int i = 0; i < length; i++)
            {
                factor[i] = sqrtC / MathF.Max(MathF.Sqrt(factor[i]), 1e-12f);
            }
            var sigmoid = silu ? new float[length] : null;
            for (int ch = 0; ch < c; ch++)
            {
                var row = dst.AsSpan(ch * n + start, length);
                TensorPrimitives.Multiply(src.AsSpan(ch * n + start, length), factor, row);
                TensorPrimitives.Multiply(row, g[ch], row);
                if (sigmoid is not null)
                {
                    TensorPrimitives.Sigmoid(row, sigmoid);
                    TensorPrimitives.Multiply(row, sigmoid, row);
                }
            }
        });
        return y;
    }

    /// <inheritdoc/>
    public Tensor ChannelAffine(Tensor x, Tensor scale, Tensor shift)
    {
        var (c, n) = ChannelRows(x, "channel affine input");
        Vector(scale, c, "channel affine scale");
        Vector(shift, c, "channel affine shift");
        var src = Cpu(x).Data;
        var a = Cpu(scale).Data;
        var b = Cpu(shift).Data;
        var y = NewLike(x);
        var dst = y.Data;
        ForRows(c, n, ch =>
        {
            var row = dst.AsSpan(ch * n, n);
            TensorPrimitives.Multiply(src.AsSpan(ch * n, n), a[ch], row);
            TensorPrimitives.Add(row, b[ch], row);
        });
        return y;
    }

    /// <summary>Views a tensor as [C = first dim, everything else].</summary>
    private static (int Channels, int Positions) ChannelRows(Tensor t, string what)
    {
        if (t.Shape.Rank < 2 || t.Shape[0] == 0)
        {
            throw new ArgumentException($"{what}: expected [C, ...] with C > 0, got {t.Shape}");
        }
        return (t.Shape[0], checked((int)(t.ElementCount / t.Shape[0])));
    }
}
