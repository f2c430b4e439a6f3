namespace Wan.Testing;

/// <summary>The error measure of every numeric test: relative L2, ‖actual − expected‖₂ / ‖expected‖₂.</summary>
public static class Metrics
{
    /// <summary>‖actual − expected‖₂ / ‖expected‖₂, accumulated in double; refuses different lengths and an all-zero reference.</summary>
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

    /// <summary>
    /// Asserts every output is finite and the relative L2 error is within <paramref name="tolerance"/>,
    /// and prints the error, so the test log records what was reached.
    /// </summary>
    public static double AssertClose(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected, double tolerance, string what)
    {
        for (int i = 0; i < actual.Length; i++)
        {
            if (!float.IsFinite(actual[i]))
            {
                Assert.Fail($"{what}: element {i} is {actual[i]}{(i < expected.Length ? $" (expected {expected[i]})" : "")}");
            }
        }
        var err = RelativeL2(actual, expected);
        TestContext.Out.WriteLine($"{what}: rel L2 {err:E3} (tolerance {tolerance:E1})");
        Assert.That(err, Is.LessThanOrEqualTo(tolerance), $"{what}: relative L2 error");
        return err;
    }
}
