namespace Wan.Runtime.Tests.Backends;

/// <summary>Random inputs and naive float64 loops the VAE op tests compare against.</summary>
internal static class VaeOpReference
{
    public static float[] Random(Random rng, int n, float scale = 1f)
    {
        var a = new float[n];
        for (int i = 0; i < n; i++)
        {
            a[i] = (float)(rng.NextDouble() * 2 - 1) * scale;
        }
        return a;
    }

    /// <summary>
    /// Direct 3-D convolution of x [cin, f, h, w] with w [cout, cin, kt, kh, kw]: output frame t sees
    /// input frames t·st + dt − padFront, zero outside; the same for rows and columns.
    /// </summary>
    public static float[] Conv3d(float[] x, int cin, int f, int h, int w, float[] weight, int cout, (int T, int H, int W) k,
        float[]? bias, (int T, int H, int W) stride, int padFront, int padTop, int padBottom, int padLeft, int padRight,
        out (int F, int H, int W) outDims)
    {
        int fo = (padFront + f - k.T) / stride.T + 1;
        int ho = (padTop + h + padBottom - k.H) / stride.H + 1;
        int wo = (padLeft + w + padRight - k.W) / stride.W + 1;
        outDims = (fo, ho, wo);
        var y = new float[cout * fo * ho * wo];
        for (int co = 0; co < cout; co++)
        {
            for (int t = 0; t < fo; t++)
            {
                for (int r = 0; r < ho; r++)
                {
                    for (int c = 0; c < wo; c++)
                    {
                        double sum = bias?[co] ?? 0;
                        for (int ci = 0; ci < cin; ci++)
                        {
                            for (int dt = 0; dt < k.T; dt++)
                            {
                                int fi = t * stride.T + dt - padFront;
                                if (fi < 0 || fi >= f)
                                {
                                    continue;
                                }
                                for (int dh = 0; dh < k.H; dh++)
                                {
                                    int hi = r * stride.H + dh - padTop;
                                    if (hi < 0 || hi >= h)
                                    {
                                        continue;
                                    }
                                    for (int dw = 0; dw < k.W; dw++)
                                    {
                                        int wi = c * stride.W + dw - padLeft;
                                        if (wi < 0 || wi >= w)
                                        {
                                            continue;
                                        }
                                        sum += (double)x[((ci * f + fi) * h + hi) * w + wi]
                                            * weight[(((co * cin + ci) * k.T + dt) * k.H + dh) * k.W + dw];
                                    }
                                }
                            }
                        }
                        y[((co * fo + t) * ho + r) * wo + c] = (float)sum;
                    }
                }
            }
        }
        return y;
    }
}
