using Wan.Kernels.Numerics;

namespace Wan.Kernels.Tests.Numerics;

/// <summary>
/// FloatCodec against <see cref="ScalarFloatReference"/> on every bit pattern: all 65,536 bf16 and
/// fp16 patterns and all 256 fp8 patterns decode to their defined values, and every value, every
/// tie between neighbours (round to nearest even) and the floats either side of it encode to the
/// nearest code, through the scalar and the vectorised (span) paths alike. Spans have odd lengths so
/// that the vector loops and their scalar tails both run.
/// </summary>
public sealed class FloatCodecTests
{
    private static readonly ScalarFloatReference Bf16 = new(8, 7);
    private static readonly ScalarFloatReference F16 = new(5, 10);
    private static readonly ScalarFloatReference E4M3 = new(4, 3, finiteOnly: true);
    private static readonly ScalarFloatReference E5M2 = new(5, 2);

    [Test]
    public void EveryBf16PatternDecodesToItsValue()
    {
        var codes = AllPatterns(Bf16).Select(c => (ushort)c).ToArray();
        var decoded = new float[codes.Length];
        FloatCodec.BF16ToFloat(codes, decoded);
        for (int i = 0; i < codes.Length; i++)
        {
            AssertDecoded(Bf16.Decode(codes[i]), decoded[i], codes[i]);
            Assert.That(FloatCodec.BF16ToFloat(codes[i]), Is.EqualTo(decoded[i]).Or.NaN, $"scalar vs span, 0x{codes[i]:x4}");
            Assert.That(BitConverter.SingleToUInt32Bits(decoded[i]), Is.EqualTo((uint)codes[i] << 16), "bf16 is the top half of the float32, NaN payloads included");
        }
    }

    [Test]
    public void EveryF16PatternDecodesToItsValue()
    {
        var codes = AllPatterns(F16).Select(c => BitConverter.UInt16BitsToHalf((ushort)c)).ToArray();
        var decoded = new float[codes.Length];
        FloatCodec.F16ToFloat(codes, decoded);
        for (int i = 0; i < codes.Length; i++)
        {
            AssertDecoded(F16.Decode(i), decoded[i], i);
        }
    }

    [Test]
    public void EveryFp8PatternDecodesToItsValue()
    {
        var codes = Enumerable.Range(0, 256).Select(c => (byte)c).ToArray();
        var e4m3 = new float[256];
        var e5m2 = new float[256];
        FloatCodec.F8E4M3ToFloat(codes, e4m3);
        FloatCodec.F8E5M2ToFloat(codes, e5m2);
        for (int c = 0; c < 256; c++)
        {
            AssertDecoded(E4M3.Decode(c), e4m3[c], c);
            AssertDecoded(E4M3.Decode(c), FloatCodec.F8E4M3ToFloat((byte)c), c);
            AssertDecoded(E5M2.Decode(c), e5m2[c], c);
        }
        Assert.That(e4m3.Count(float.IsNaN), Is.EqualTo(2), "E4M3 fn has only S.1111.111 as NaN");
        Assert.That(e4m3.Max(), Is.EqualTo(448f));
        Assert.That(e4m3[1], Is.EqualTo(MathF.ScaleB(1, -9)), "smallest subnormal");
    }

    [Test]
    public void Bf16EncodingRoundsToNearestEvenEverywhere()
    {
        var probes = Bf16.EncodeProbes();
        var encoded = new ushort[probes.Length];
        FloatCodec.FloatToBF16(probes, encoded);
        for (int i = 0; i < probes.Length; i++)
        {
            Assert.That(encoded[i], Is.EqualTo((ushort)Bf16.Round(probes[i])), $"span: {probes[i]:R}");
            Assert.That(FloatCodec.FloatToBF16(probes[i]), Is.EqualTo(encoded[i]), $"scalar: {probes[i]:R}");
        }
        Assert.That(probes, Has.Length.GreaterThan(3 * 65000), "a value, a tie and its neighbours per pattern");
    }

    [Test]
    public void F16EncodingRoundsToNearestEvenEverywhere()
    {
        var probes = F16.EncodeProbes();
        var encoded = new Half[probes.Length];
        FloatCodec.FloatToF16(probes, encoded);
        for (int i = 0; i < probes.Length; i++)
        {
            Assert.That(BitConverter.HalfToUInt16Bits(encoded[i]), Is.EqualTo((ushort)F16.Round(probes[i])), $"{probes[i]:R}");
            Assert.That(FloatCodec.RoundToF16(probes[i]), Is.EqualTo((float)encoded[i]), $"scalar: {probes[i]:R}");
        }
    }

    [Test]
    public void E4M3EncodingRoundsToNearestEvenAndSaturates()
    {
        var probes = E4M3.EncodeProbes().Concat([449f, 464f, 1e6f, -1e6f, 3e38f]).ToArray();
        var encoded = new byte[probes.Length];
        FloatCodec.FloatToF8E4M3(probes, encoded);
        for (int i = 0; i < probes.Length; i++)
        {
            Assert.That(encoded[i], Is.EqualTo((byte)E4M3.Round(probes[i])), $"{probes[i]:R}");
        }
        Assert.That(FloatCodec.FloatToF8E4M3(float.PositiveInfinity), Is.EqualTo(0x7E), "∞ saturates to 448");
        Assert.That(FloatCodec.FloatToF8E4M3(float.NegativeInfinity), Is.EqualTo(0xFE));
    }

    [Test]
    public void NaNStaysNaNWithItsSign()
    {
        float[] nans = [float.NaN, -float.NaN, BitConverter.UInt32BitsToSingle(0x7F80_0001), BitConverter.UInt32BitsToSingle(0xFFC1_2345)];
        var bf16 = new ushort[nans.Length];
        var f16 = new Half[nans.Length];
        FloatCodec.FloatToBF16(nans, bf16);
        FloatCodec.FloatToF16(nans, f16);
        for (int i = 0; i < nans.Length; i++)
        {
            var bits = BitConverter.SingleToUInt32Bits(nans[i]);
            Assert.That(bf16[i], Is.EqualTo((ushort)((bits >> 16) | 0x40)), "bf16: sign and top payload kept, made quiet");
            Assert.That(Half.IsNaN(f16[i]) && Half.IsNegative(f16[i]) == float.IsNegative(nans[i]), Is.True, $"fp16 of 0x{bits:x8}");
            var e4m3 = FloatCodec.FloatToF8E4M3(nans[i]);
            Assert.That(e4m3 & 0x7F, Is.EqualTo(0x7F), "E4M3 NaN code");
            Assert.That(e4m3 >> 7, Is.EqualTo((int)(bits >> 31)), "E4M3 NaN sign");
        }
    }

    [Test]
    public void MismatchedSpanLengthsAreRejected()
    {
        Assert.That(() => FloatCodec.BF16ToFloat(new ushort[3], new float[2]), Throws.ArgumentException);
        Assert.That(() => FloatCodec.FloatToBF16(new float[17], new ushort[16]), Throws.ArgumentException);
        Assert.That(() => FloatCodec.FloatToF16(new float[1], new Half[2]), Throws.ArgumentException);
        Assert.That(() => FloatCodec.F8E4M3ToFloat(new byte[2], new float[1]), Throws.ArgumentException);
    }

    [Test]
    public void TheReferenceCatchesAWrongRounding()
    {
        // Round-half-away-from-zero differs from round-half-even at 1 + 2^-8 (a bf16 tie whose lower neighbour is even).
        var tie = 1f + MathF.ScaleB(1, -8);
        var truncatingUp = (ushort)((BitConverter.SingleToUInt32Bits(tie) + 0x8000) >> 16);
        Assert.That(Bf16.Round(tie), Is.Not.EqualTo(truncatingUp));
        Assert.That(Bf16.Round(tie), Is.EqualTo(0x3F80));
        Assert.That(Bf16.Round(1f + 3 * MathF.ScaleB(1, -8)), Is.EqualTo(0x3F82), "the tie above an odd code rounds up");
    }

    private static IEnumerable<int> AllPatterns(ScalarFloatReference format) => Enumerable.Range(0, format.Patterns);

    private static void AssertDecoded(double expected, float actual, int code)
    {
        if (double.IsNaN(expected))
        {
            Assert.That(float.IsNaN(actual), Is.True, $"code 0x{code:x}: NaN");
            return;
        }
        Assert.That((double)actual, Is.EqualTo(expected), $"code 0x{code:x}");
        Assert.That(float.IsNegative(actual), Is.EqualTo(double.IsNegative(expected)), $"code 0x{code:x}: sign of {expected}");
    }
}
