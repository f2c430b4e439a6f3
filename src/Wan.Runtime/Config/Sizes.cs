using System.Globalization;
using System.Numerics;

namespace Wan.Runtime.Config;

/// <summary>Size products for messages: exact whatever their magnitude, so a refusal never prints a wrapped count.</summary>
internal static class Sizes
{
    /// <summary>"a × b × c = N" with the exact product (no overflow), digits grouped.</summary>
    public static string Describe(ReadOnlySpan<long> factors)
    {
        BigInteger product = BigInteger.One;
        var parts = new string[factors.Length];
        for (int i = 0; i < factors.Length; i++)
        {
            product *= factors[i];
            parts[i] = factors[i].ToString(CultureInfo.InvariantCulture);
        }
        return factors.Length == 1 ? Group(product) : $"{string.Join(" × ", parts)} = {Group(product)}";
    }

    /// <summary>The exact product of positive factors, or null when it does not fit 64 bits.</summary>
    public static long? Product(ReadOnlySpan<long> factors)
    {
        long product = 1;
        foreach (var f in factors)
        {
            if (f <= 0 || product > long.MaxValue / f)
            {
                return null;
            }
            product *= f;
        }
        return product;
    }

    /// <summary>An integer with thousands separators, e.g. 21,474,836,480.</summary>
    public static string Group(BigInteger value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
