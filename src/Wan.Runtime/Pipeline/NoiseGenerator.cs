namespace Wan.Runtime.Pipeline;

/// <summary>
/// The seeded initial noise: standard normal values from a SplitMix64 stream (Steele et al. 2014)
/// turned into pairs by Box–Muller in float64. Specified here so that a seed gives the same latent
/// on every machine and .NET version (System.Random makes no such promise). It does not reproduce
/// PyTorch's generator: pass your own noise to match a PyTorch run.
/// </summary>
public static class NoiseGenerator
{
    /// <summary><paramref name="count"/> standard normal float32 values from <paramref name="seed"/> (SplitMix64 + Box–Muller).</summary>
    public static float[] StandardNormal(long seed, int count)
    {
        ulong state = unchecked((ulong)seed);
        var noise = new float[count];
        for (int i = 0; i < count; i += 2)
        {
            double u1 = (Next(ref state) >> 11) * (1.0 / (1UL << 53));
            double u2 = (Next(ref state) >> 11) * (1.0 / (1UL << 53));
            double radius = Math.Sqrt(-2.0 * Math.Log(1.0 - u1));
            noise[i] = (float)(radius * Math.Cos(2 * Math.PI * u2));
            if (i + 1 < count)
            {
                noise[i + 1] = (float)(radius * Math.Sin(2 * Math.PI * u2));
            }
        }
        return noise;
    }

    private static ulong Next(ref ulong state)
    {
        ulong z = state += 0x9E37_79B9_7F4A_7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EBUL;
        return z ^ (z >> 31);
    }
}
