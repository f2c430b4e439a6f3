namespace Wan.Kernels.Tests.Numerics;

/// <summary>
/// A small float format described by its bit layout, decoded and rounded to by plain arithmetic in
/// float64 — a reference that shares nothing with FloatCodec's bit tricks, tables or vector code.
/// Rounding searches the sorted finite values for the nearest; a tie goes to the even code.
/// </summary>
internal sealed class ScalarFloatReference
{
    private readonly int _exponentBits, _mantissaBits, _bias;
    private readonly bool _finiteOnly;
    private readonly double[] _magnitudes;
    private readonly int[] _codes;

    /// <param name="finiteOnly">
    /// OCP E4M3 "fn": no infinities, only S.1111.111 is NaN, and rounding saturates at the largest
    /// finite value (wan-convert's rule). Otherwise IEEE-like: all-ones exponent is ∞/NaN and rounding
    /// past the largest value goes to ∞.
    /// </param>
    public ScalarFloatReference(int exponentBits, int mantissaBits, bool finiteOnly = false)
    {
        _exponentBits = exponentBits;
        _mantissaBits = mantissaBits;
        _bias = (1 << (exponentBits - 1)) - 1;
        _finiteOnly = finiteOnly;
        var positive = Enumerable.Range(0, 1 << (exponentBits + mantissaBits))
            .Select(code => (Code: code, Value: Decode(code)))
            .Where(c => double.IsFinite(c.Value))
            .ToList();
        if (!finiteOnly)
        {
            // ∞ as the candidate one step past the largest value: it wins ties there (its code is even).
            positive.Add((InfinityCode, Math.ScaleB(1.0, _bias + 1)));
        }
        _magnitudes = [.. positive.Select(c => c.Value)];
        _codes = [.. positive.Select(c => c.Code)];
    }

    public int Bits => 1 + _exponentBits + _mantissaBits;
    public int Patterns => 1 << Bits;
    private int SignBit => 1 << (_exponentBits + _mantissaBits);
    private int InfinityCode => ((1 << _exponentBits) - 1) << _mantissaBits;

    /// <summary>The value of a bit pattern (sign, biased exponent, mantissa with hidden bit or subnormal).</summary>
    public double Decode(int code)
    {
        var sign = (code & SignBit) != 0 ? -1.0 : 1.0;
        var exponent = (code >> _mantissaBits) & ((1 << _exponentBits) - 1);
        var mantissa = code & ((1 << _mantissaBits) - 1);
        var allOnes = (1 << _exponentBits) - 1;
        if (_finiteOnly ? exponent == allOnes && mantissa == (1 << _mantissaBits) - 1 : exponent == allOnes)
        {
            return mantissa == 0 && !_finiteOnly ? sign * double.PositiveInfinity : double.NaN;
        }
        var fraction = (double)mantissa / (1 << _mantissaBits);
        return exponent == 0
            ? sign * Math.ScaleB(fraction, 1 - _bias)
            : sign * Math.ScaleB(1 + fraction, exponent - _bias);
    }

    /// <summary>The code nearest to <paramref name="x"/> (ties to even); NaN is not handled here.</summary>
    public int Round(float x)
    {
        var sign = float.IsNegative(x) ? SignBit : 0;
        double m = Math.Abs((double)x);
        if (_finiteOnly)
        {
            m = Math.Min(m, _magnitudes[^1]);
        }
        if (m >= _magnitudes[^1])
        {
            return sign | _codes[^1];
        }
        int hi = Array.BinarySearch(_magnitudes, m);
        if (hi >= 0)
        {
            return sign | _codes[hi];
        }
        hi = ~hi;
        int lo = hi - 1;
        double below = m - _magnitudes[lo], above = _magnitudes[hi] - m;
        int pick = below < above ? lo : above < below ? hi : (_codes[lo] % 2 == 0 ? lo : hi);
        return sign | _codes[pick];
    }

    /// <summary>
    /// Every value worth encoding: each finite pattern's value, the exact midpoint between each
    /// pair of neighbours (a tie) and the float32s just either side of it, both signs, zeros, ∞,
    /// the largest and smallest float32s.
    /// </summary>
    public float[] EncodeProbes()
    {
        var probes = new List<float> { 0f, -0f, float.PositiveInfinity, float.NegativeInfinity, float.MaxValue, -float.MaxValue, float.Epsilon, -float.Epsilon };
        for (int i = 0; i < _magnitudes.Length; i++)
        {
            var v = (float)_magnitudes[i];
            probes.Add(v);
            if (i + 1 < _magnitudes.Length)
            {
                var mid = (float)((_magnitudes[i] + _magnitudes[i + 1]) / 2);
                probes.AddRange([mid, MathF.BitDecrement(mid), MathF.BitIncrement(mid)]);
            }
        }
        probes.AddRange(probes.Select(p => -p).ToList());
        return [.. probes.Where(p => !float.IsNaN(p))];
    }
}
