namespace Wan.Runtime.Backends;

/// <summary>Small tables every backend computes on the host in float64, as the reference does.</summary>
internal static class HostMath
{
    /// <summary>[cos(t·w_j) | sin(t·w_j)], w_j = 10000^(−j/(dim/2)): cos first, t used as a real number.</summary>
    public static float[] TimestepSinusoid(double t, int dim)
    {
        if (dim <= 0 || dim % 2 != 0)
        {
            throw new ArgumentException($"timestep sinusoid dim {dim} must be even and positive");
        }
        int half = dim / 2;
        var y = new float[dim];
        for (int j = 0; j < half; j++)
        {
            double angle = t * Math.Pow(10000.0, -(double)j / half);
            y[j] = (float)Math.Cos(angle);
            y[half + j] = (float)Math.Sin(angle);
        }
        return y;
    }

    /// <summary>The number of NaN and ±Inf values: those whose exponent bits are all ones.</summary>
    public static long CountNonFinite(ReadOnlySpan<float> values)
    {
        long count = 0;
        foreach (var v in values)
        {
            count += (BitConverter.SingleToInt32Bits(v) & 0x7F80_0000) == 0x7F80_0000 ? 1 : 0;
        }
        return count;
    }
}
