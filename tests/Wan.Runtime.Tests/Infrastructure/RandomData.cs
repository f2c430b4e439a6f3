namespace Wan.Runtime.Tests.Infrastructure;

/// <summary>Fresh random inputs for op tests; the seed is printed so a failure can be replayed.</summary>
public sealed class RandomData
{
    private readonly Random _random;

    public RandomData()
    {
        Seed = Environment.TickCount;
        _random = new Random(Seed);
        TestContext.Out.WriteLine($"random seed {Seed}");
    }

    public int Seed { get; }

    /// <summary>Normal(0, scale) values (Box-Muller).</summary>
    public float[] Normal(int n, float scale = 1f)
    {
        var x = new float[n];
        for (int i = 0; i < n; i++)
        {
            double u1 = 1.0 - _random.NextDouble(), u2 = _random.NextDouble();
            x[i] = (float)(scale * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
        return x;
    }

    public int Int(int minInclusive, int maxExclusive) => _random.Next(minInclusive, maxExclusive);
}
