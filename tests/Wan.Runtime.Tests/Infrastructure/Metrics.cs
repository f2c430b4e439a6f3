namespace Wan.Runtime.Tests.Infrastructure;

public static class Metrics
{
    /// <summary>||out - ref||_2 / ||ref||_2, accumulated in double.</summary>
    public static double RelativeL2(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        if (actual.Length != expected.Length)
        {
            throw new AssertionException($"length {actual.Length} != reference length {expected.Length}");
        }
        double num = 0, den = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double d = (double)actual[i] - expected[i];
            num += d * d;
            den += (double)expected[i] * expected[i];
        }
        if (den == 0)
        {
            throw new AssertionException("reference is all zeros: a relative error means nothing");
        }
        return Math.Sqrt(num / den);
    }

    /// <summary>Asserts the relative L2 error and prints it, so the test log records what was reached.</summary>
    public static double AssertClose(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected, double tolerance, string what)
    {
        foreach (var v in actual)
        {
            if (!float.IsFinite(v))
            {
                Assert.Fail($"{what}: output contains {v}");
            }
        }
        var err = RelativeL2(actual, expected);
        TestContext.Out.WriteLine($"{what}: rel L2 {err:E3} (tolerance {tolerance:E1})");
        Assert.That(err, Is.LessThanOrEqualTo(tolerance), $"{what}: relative L2 error");
        return err;
    }
}
