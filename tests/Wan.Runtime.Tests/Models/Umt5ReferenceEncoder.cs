namespace Wan.Runtime.Tests.Models;

/// <summary>
/// The umT5 encoder written as plain float64 loops straight from WAN_ARCHITECTURE.md, independent of
/// the runtime's code (own bucket function in float64, own norm, attention and GELU), with a key mask.
/// </summary>
internal static class Umt5ReferenceEncoder
{
    public static double[,] Encode(Umt5TestModel m, int[] ids, int validKeys)
    {
        int l = ids.Length, d = Umt5TestModel.DModel;
        var x = new double[l, d];
        var table = m["shared.weight"];
        for (int t = 0; t < l; t++)
        {
            for (int c = 0; c < d; c++)
            {
                x[t, c] = table[ids[t] * d + c];
            }
        }
        for (int i = 0; i < Umt5TestModel.Layers; i++)
        {
            var a = $"encoder.block.{i}.layer.0.";
            var f = $"encoder.block.{i}.layer.1.";
            var h = Rms(x, m[a + "layer_norm.weight"]);
            var q = Linear(h, m[a + "SelfAttention.q.weight"]);
            var k = Linear(h, m[a + "SelfAttention.k.weight"]);
            var v = Linear(h, m[a + "SelfAttention.v.weight"]);
            var att = Attention(q, k, v, m[a + "SelfAttention.relative_attention_bias.weight"], validKeys);
            AddInPlace(x, Linear(att, m[a + "SelfAttention.o.weight"]));

            h = Rms(x, m[f + "layer_norm.weight"]);
            var gate = Linear(h, m[f + "DenseReluDense.wi_0.weight"]);
            var lin = Linear(h, m[f + "DenseReluDense.wi_1.weight"]);
            for (int t = 0; t < l; t++)
            {
                for (int c = 0; c < gate.GetLength(1); c++)
                {
                    lin[t, c] *= GeluTanh(gate[t, c]);
                }
            }
            AddInPlace(x, Linear(lin, m[f + "DenseReluDense.wo.weight"]));
        }
        return Rms(x, m["encoder.final_layer_norm.weight"]);
    }

    public static int Bucket(int rel, int buckets, int maxDistance)
    {
        int n = buckets / 2, exact = n / 2;
        int b = rel > 0 ? n : 0;
        int r = Math.Abs(rel);
        if (r < exact)
        {
            return b + r;
        }
        return b + Math.Min(n - 1, exact + (int)(Math.Log((double)r / exact) / Math.Log((double)maxDistance / exact) * (n - exact)));
    }

    private static double[,] Attention(double[,] q, double[,] k, double[,] v, float[] biasTable, int validKeys)
    {
        int l = q.GetLength(0), heads = Umt5TestModel.Heads, dh = Umt5TestModel.DKv;
        var o = new double[l, heads * dh];
        var p = new double[validKeys];
        for (int h = 0; h < heads; h++)
        {
            for (int i = 0; i < l; i++)
            {
                double max = double.NegativeInfinity;
                for (int j = 0; j < validKeys; j++)
                {
                    double s = biasTable[Bucket(j - i, Umt5TestModel.Buckets, Umt5TestModel.MaxDistance) * heads + h];
                    for (int c = 0; c < dh; c++)
                    {
                        s += q[i, h * dh + c] * k[j, h * dh + c];
                    }
                    p[j] = s;
                    max = Math.Max(max, s);
                }
                double sum = 0;
                for (int j = 0; j < validKeys; j++)
                {
                    p[j] = Math.Exp(p[j] - max);
                    sum += p[j];
                }
                for (int j = 0; j < validKeys; j++)
                {
                    for (int c = 0; c < dh; c++)
                    {
                        o[i, h * dh + c] += p[j] / sum * v[j, h * dh + c];
                    }
                }
            }
        }
        return o;
    }

    private static double[,] Rms(double[,] x, float[] w)
    {
        int l = x.GetLength(0), d = x.GetLength(1);
        var y = new double[l, d];
        for (int t = 0; t < l; t++)
        {
            double ss = 0;
            for (int c = 0; c < d; c++)
            {
                ss += x[t, c] * x[t, c];
            }
            double inv = 1 / Math.Sqrt(ss / d + Umt5TestModel.Eps);
            for (int c = 0; c < d; c++)
            {
                y[t, c] = x[t, c] * inv * w[c];
            }
        }
        return y;
    }

    /// <summary>x [L, K] · w[M, K]ᵀ.</summary>
    private static double[,] Linear(double[,] x, float[] w)
    {
        int l = x.GetLength(0), kd = x.GetLength(1), md = w.Length / kd;
        var y = new double[l, md];
        for (int t = 0; t < l; t++)
        {
            for (int r = 0; r < md; r++)
            {
                double s = 0;
                for (int c = 0; c < kd; c++)
                {
                    s += x[t, c] * w[r * kd + c];
                }
                y[t, r] = s;
            }
        }
        return y;
    }

    private static void AddInPlace(double[,] x, double[,] y)
    {
        for (int t = 0; t < x.GetLength(0); t++)
        {
            for (int c = 0; c < x.GetLength(1); c++)
            {
                x[t, c] += y[t, c];
            }
        }
    }

    private static double GeluTanh(double x) =>
        0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
}
