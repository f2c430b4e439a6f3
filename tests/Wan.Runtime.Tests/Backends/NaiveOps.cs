namespace Wan.Runtime.Tests.Backends;

/// <summary>Textbook loops in float64: the reference every backend op is tested against.</summary>
internal static class NaiveOps
{
    public static float[] Linear(float[] x, float[] w, float[]? b, int n, int k, int m)
    {
        var y = new float[n * m];
        for (int i = 0; i < n; i++)
        {
            for (int o = 0; o < m; o++)
            {
                double s = b?[o] ?? 0;
                for (int j = 0; j < k; j++)
                {
                    s += (double)x[i * k + j] * w[o * k + j];
                }
                y[i * m + o] = (float)s;
            }
        }
        return y;
    }

    public static float[] RmsNorm(float[] x, float[] w, int d, double eps)
    {
        var y = new float[x.Length];
        for (int r = 0; r < x.Length / d; r++)
        {
            double ss = 0;
            for (int j = 0; j < d; j++)
            {
                ss += (double)x[r * d + j] * x[r * d + j];
            }
            double inv = 1 / Math.Sqrt(ss / d + eps);
            for (int j = 0; j < d; j++)
            {
                y[r * d + j] = (float)(x[r * d + j] * inv * w[j]);
            }
        }
        return y;
    }

    public static float[] LayerNorm(float[] x, int d, double eps, float[]? w = null, float[]? b = null, float[]? shift = null, float[]? scale = null)
    {
        var y = new float[x.Length];
        for (int r = 0; r < x.Length / d; r++)
        {
            double mean = 0, v = 0;
            for (int j = 0; j < d; j++)
            {
                mean += x[r * d + j];
            }
            mean /= d;
            for (int j = 0; j < d; j++)
            {
                v += (x[r * d + j] - mean) * (x[r * d + j] - mean);
            }
            double inv = 1 / Math.Sqrt(v / d + eps);
            for (int j = 0; j < d; j++)
            {
                double n = (x[r * d + j] - mean) * inv;
                n = n * (w?[j] ?? 1) + (b?[j] ?? 0);
                if (shift is not null && scale is not null)
                {
                    n = n * (1 + scale[j]) + shift[j];
                }
                y[r * d + j] = (float)n;
            }
        }
        return y;
    }

    public static float GeluTanh(float v) =>
        (float)(0.5 * v * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (v + 0.044715 * Math.Pow(v, 3)))));

    public static float Silu(float v) => (float)(v / (1 + Math.Exp(-v)));

    /// <summary>Rotates adjacent pairs of each head by the table (rows [L, heads·dh], table [L, dh/2]).</summary>
    public static float[] Rope(float[] x, float[] cos, float[] sin, int rows, int dim, int dh)
    {
        var y = (float[])x.Clone();
        for (int t = 0; t < rows; t++)
        {
            for (int h = 0; h < dim / dh; h++)
            {
                for (int j = 0; j < dh / 2; j++)
                {
                    int i = t * dim + h * dh + 2 * j;
                    double c = cos[t * dh / 2 + j], s = sin[t * dh / 2 + j];
                    y[i] = (float)(x[i] * c - x[i + 1] * s);
                    y[i + 1] = (float)(x[i] * s + x[i + 1] * c);
                }
            }
        }
        return y;
    }

    public static float[] Attention(float[] q, float[] k, float[] v, int lq, int lk, int dim, int heads, double scale, int validKeys, float[]? bias)
    {
        int dh = dim / heads;
        var o = new float[lq * dim];
        var p = new double[lk];
        for (int h = 0; h < heads; h++)
        {
            for (int i = 0; i < lq; i++)
            {
                double max = double.NegativeInfinity;
                for (int j = 0; j < validKeys; j++)
                {
                    double s = 0;
                    for (int d = 0; d < dh; d++)
                    {
                        s += (double)q[i * dim + h * dh + d] * k[j * dim + h * dh + d];
                    }
                    p[j] = s * scale + (bias?[(h * lq + i) * lk + j] ?? 0);
                    max = Math.Max(max, p[j]);
                }
                double sum = 0;
                for (int j = 0; j < validKeys; j++)
                {
                    p[j] = Math.Exp(p[j] - max);
                    sum += p[j];
                }
                for (int d = 0; d < dh; d++)
                {
                    double acc = 0;
                    for (int j = 0; j < validKeys; j++)
                    {
                        acc += p[j] / sum * v[j * dim + h * dh + d];
                    }
                    o[i * dim + h * dh + d] = (float)acc;
                }
            }
        }
        return o;
    }
}
