using System.Globalization;

namespace Wan.Testing;

/// <summary>
/// Fresh random inputs for tests. Each instance draws a new seed and prints it; setting
/// WAN_TEST_SEED to a printed seed makes every instance use it, so a failure replays exactly.
/// </summary>
public sealed class RandomData
{
    /// <summary>The environment variable that fixes the seed of every instance.</summary>
    public const string SeedVariable = "WAN_TEST_SEED";

    /// <summary>A fresh seed, or $WAN_TEST_SEED when set; printed to the test log.</summary>
    public RandomData()
        : this(SeedFrom(Environment.GetEnvironmentVariable(SeedVariable)) ?? System.Random.Shared.Next())
    {
    }

    /// <summary>The given seed (printed like a fresh one).</summary>
    public RandomData(int seed)
    {
        Seed = seed;
        Random = new Random(seed);
        TestContext.Out.WriteLine($"random seed {seed} (replay: {SeedVariable}={seed})");
    }

    /// <summary>The seed in use: set WAN_TEST_SEED to it to replay.</summary>
    public int Seed { get; }

    /// <summary>The generator itself, for tests that draw their own kinds of values.</summary>
    public Random Random { get; }

    /// <summary>The seed an environment value asks for: null when unset or empty; an error naming the variable when it is not an integer.</summary>
    public static int? SeedFrom(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        return int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed)
            ? seed
            : throw new ArgumentException($"{SeedVariable}=\"{value}\" is not a 32-bit integer seed");
    }

    /// <summary>Normal(0, scale) values (Box-Muller).</summary>
    public float[] Normal(int n, float scale = 1f)
    {
        var x = new float[n];
        for (int i = 0; i < n; i++)
        {
            double u1 = 1.0 - Random.NextDouble(), u2 = Random.NextDouble();
            x[i] = (float)(scale * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
        return x;
    }

    /// <summary>A uniform integer in [minInclusive, maxExclusive).</summary>
    public int Int(int minInclusive, int maxExclusive) => Random.Next(minInclusive, maxExclusive);
}
