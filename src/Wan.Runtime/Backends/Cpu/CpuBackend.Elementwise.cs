using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends.Cpu;

public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public Tensor GeluTanh(Tensor x)
    {
        var src = Cpu(x).Data;
        var y = NewLike(x);
        var dst = y.Data;
        ForChunks(src.Length, (start, length) => GeluTanh(src.AsSpan(start, length), dst.AsSpan(start, length)));
        return y;
    }

    /// <summary>
    /// 0.5·x·(1 + tanh(√(2/π)·x·(1 + 0.044715·x²))), vectorised in float32 (the per-element float64
    /// version took a sixth of a 1.3B DiT step).
    /// </summary>
    internal static void GeluTanh(ReadOnlySpan<float> x, Span<float> y)
    {
        const float c = 0.7978845608028654f; // sqrt(2/pi)
        TensorPrimitives.Multiply(x, x, y);
        TensorPrimitives.Multiply(y, c * 0.044715f, y);
        TensorPrimitives.Add(y, c, y);
        TensorPrimitives.Multiply(y, x, y);
        TensorPrimitives.Tanh(y, y);
        TensorPrimitives.Add(y, 1f, y);
        TensorPrimitives.Multiply(y, x, y);
        TensorPrimitives.Multiply(y, 0.5f, y);
    }

    /// <inheritdoc/>
    public Tensor Silu(Tensor x)
    {
        var src = Cpu(x).Data;
        var y = NewLike(x);
        var dst = y.Data;
        ForChunks(src.Length, (start, length) =>
        {
            var d = dst.AsSpan(start, length);
            TensorPrimitives.Sigmoid(src.AsSpan(start, length), d);
            TensorPrimitives.Multiply(d, src.AsSpan(start, length), d);
        });
        return y;
    }

    /// <inheritdoc/>
    public Tensor Add(Tensor a, Tensor b)
    {
        SameShape(a, b, "add");
        var y = NewLike(a);
        TensorPrimitives.Add(Cpu(a).Data, Cpu(b).Data, y.Data);
        return y;
    }

    /// <inheritdoc/>
    public Tensor Mul(Tensor a, Tensor b)
    {
        SameShape(a, b, "mul");
        var y = NewLike(a);
        TensorPrimitives.Multiply(Cpu(a).Data, Cpu(b).Data, y.Data);
        return y;
    }

    /// <inheritdoc/>
    public void AddInPlace(Tensor x, Tensor y)
    {
        SameShape(x, y, "add_");
        var dst = Cpu(x).Data;
        TensorPrimitives.Add(dst, Cpu(y).Data, dst);
    }

    /// <inheritdoc/>
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
