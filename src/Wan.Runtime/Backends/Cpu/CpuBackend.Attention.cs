using Wan.Kernels;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends.Cpu;

public sealed partial class CpuBackend
{
    /// <summary>Query rows per block: scores are [block, Lk] per head, never [Lq, Lk].</summary>
    private const int AttentionQueryBlock = 64;

    public Tensor Attention(Tensor q, Tensor k, Tensor v, AttentionSpec spec)
    {
        var (lq, dim) = Matrix(q, "attention q");
        var (lk, kdim) = Matrix(k, "attention k");
        SameShape(k, v, "attention k/v");
        if (kdim != dim || spec.Heads <= 0 || dim % spec.Heads != 0)
        {
            throw new ArgumentException($"attention: q {q.Shape}, k {k.Shape} with {spec.Heads} heads");
        }
        if (spec.ValidKeys < 1 || spec.ValidKeys > lk)
        {
            throw new ArgumentOutOfRangeException(nameof(spec), $"attention: {spec.ValidKeys} valid keys of {lk}");
        }
        int heads = spec.Heads, dh = dim / heads, keys = spec.ValidKeys;

        var qs = Cpu(q).Data;
        var ks = Cpu(k).Data;
        if (spec.QNorm is not null)
        {
            qs = Cpu(RmsNorm(q, spec.QNorm, spec.NormEps)).Data;
        }
        if (spec.KNorm is not null)
        {
            ks = Cpu(RmsNorm(k, spec.KNorm, spec.NormEps)).Data;
        }
        if (spec.Rope is { } rope)
        {
            if (rope.Length < Math.Max(lq, lk) || rope.Pairs * 2 != dh)
            {
                throw new ArgumentException($"attention: rope table [{rope.Length}, {rope.Pairs}] does not cover {Math.Max(lq, lk)} tokens of head_dim {dh}");
            }
            qs = ApplyRope(qs, ReferenceEquals(qs, Cpu(q).Data), lq, dim, dh, rope);
            ks = ApplyRope(ks, ReferenceEquals(ks, Cpu(k).Data), lk, dim, dh, rope);
        }
        float[]? bias = null;
        if (spec.Bias is not null)
        {
            if (spec.Bias.Shape != new Shape(heads, lq, lk))
            {
                throw new ArgumentException($"attention bias {spec.Bias.Shape} must be [{heads}, {lq}, {lk}]");
            }
            bias = Cpu(spec.Bias).Data;
        }

        var vs = Cpu(v).Data;
        var output = new float[(long)lq * dim];
        var scores = new float[AttentionQueryBlock * keys];
        for (int h = 0; h < heads; h++)
        {
            for (int q0 = 0; q0 < lq; q0 += AttentionQueryBlock)
            {
                int rows = Math.Min(AttentionQueryBlock, lq - q0);
                Blas.Sgemm(false, true, rows, keys, dh, spec.Scale,
                    qs.AsSpan(q0 * dim + h * dh), dim, ks.AsSpan(h * dh), dim, 0f, scores, keys);
                for (int r = 0; r < rows; r++)
                {
                    var row = scores.AsSpan(r * keys, keys);
                    if (bias is not null)
                    {
                        System.Numerics.Tensors.TensorPrimitives.Add(row, bias.AsSpan((h * lq + q0 + r) * lk, keys), row);
                    }
                    SoftmaxInPlace(row);
                }
                Blas.Sgemm(false, false, rows, dh, keys, 1f, scores, keys, vs.AsSpan(h * dh), dim, 0f,
                    output.AsSpan(q0 * dim + h * dh), dim);
            }
        }
        return new CpuTensor(this, new Shape(lq, dim), output);
    }

    internal static void SoftmaxInPlace(Span<float> row)
    {
        float max = System.Numerics.Tensors.TensorPrimitives.Max(row);
        double sum = 0;
        for (int i = 0; i < row.Length; i++)
        {
            float e = MathF.Exp(row[i] - max);
            row[i] = e;
            sum += e;
        }
        System.Numerics.Tensors.TensorPrimitives.Multiply(row, (float)(1.0 / sum), row);
    }

    /// <summary>Rotates adjacent pairs (2j, 2j+1) of every head of rows [L, dim]; copies first when the input is shared.</summary>
    private float[] ApplyRope(float[] x, bool shared, int rows, int dim, int dh, RopeTable rope)
    {
        var y = shared ? (float[])x.Clone() : x;
        var cos = Cpu(rope.Cos).Data;
        var sin = Cpu(rope.Sin).Data;
        int pairs = dh / 2;
        ForRows(rows, dim, t =>
        {
            for (int h = 0; h < dim / dh; h++)
            {
                for (int j = 0; j < pairs; j++)
                {
                    int i = t * dim + h * dh + 2 * j;
                    float c = cos[t * pairs + j], s = sin[t * pairs + j];
                    float a = y[i], b = y[i + 1];
                    y[i] = a * c - b * s;
                    y[i + 1] = a * s + b * c;
                }
            }
        });
        return y;
    }
}
