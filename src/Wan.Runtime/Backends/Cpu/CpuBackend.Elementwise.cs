using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends.Cpu;

public sealed partial class CpuBackend
{
    public Tensor GeluTanh(Tensor x)
    {
        var src = Cpu(x).Data;
        var y = NewLike(x);
        var dst = y.Data;
        ForChunks(src.Length, (start, length) =>
        {
            for (int i = start; i < start + length; i++)
            {
                dst[i] = GeluTanh(src[i]);
            }
        });
        return y;
    }

    internal static float GeluTanh(float v)
    {
        const double c = 0.7978845608028654; // sqrt(2/pi)
        return (float)(0.5 * v * (1.0 + Math.Tanh(c * (v + 0.044715 * (double)v * v * v))));
    }

    public Tensor Silu(Tensor x)
    {
        var src = Cpu(x).Data;
        var y = NewLike(x);
        var dst = y.Data;
        ForChunks(src.Length, (start, length) =>
        {
            for (int i = start; i < start + length; i++)
            {
                dst[i] = (float)(src[i] / (1.0 + Math.Exp(-(double)src[i])));
            }
        });
        return y;
    }

    public Tensor Add(Tensor a, Tensor b)
    {
        SameShape(a, b, "add");
        var y = NewLike(a);
        TensorPrimitives.Add(Cpu(a).Data, Cpu(b).Data, y.Data);
        return y;
    }

    public Tensor Mul(Tensor a, Tensor b)
    {
        SameShape(a, b, "mul");
        var y = NewLike(a);
        TensorPrimitives.Multiply(Cpu(a).Data, Cpu(b).Data, y.Data);
        return y;
    }

    public void AddInPlace(Tensor x, Tensor y)
    {
        SameShape(x, y, "add_");
        var dst = Cpu(x).Data;
        TensorPrimitives.Add(dst, Cpu(y).Data, dst);
    }

    public void GatedAddInPlace(Tensor x, Tensor y, Tensor gate)
    {
        SameShape(x, y, "gated add_");
        var (rows, d) = Matrix(x, "gated add_");
        Vector(gate, d, "gate");
        var dst = Cpu(x).Data;
        var src = Cpu(y).Data;
        var g = Cpu(gate).Data;
        ForRows(rows, d, r => TensorPrimitives.FusedMultiplyAdd(src.AsSpan(r * d, d), g, dst.AsSpan(r * d, d), dst.AsSpan(r * d, d)));
    }

    /// <summary>Splits [0, n) into chunks of at least 16K elements and runs them in parallel.</summary>
    internal static void ForChunks(int n, Action<int, int> body)
    {
        const int chunk = 1 << 14;
        int chunks = (n + chunk - 1) / chunk;
        if (chunks <= 1)
        {
            body(0, n);
            return;
        }
        Parallel.For(0, chunks, c => body(c * chunk, Math.Min(chunk, n - c * chunk)));
    }
}
