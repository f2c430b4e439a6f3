using Wan.Convert.Precision;
using Wan.Runtime.Tensors;

namespace Wan.Convert.Tests;

public sealed class Fp8E4M3Tests
{
    [Test]
    public void EveryFiniteCodeRoundTrips()
    {
        for (int code = 0; code < 256; code++)
        {
            var value = HalfConversions.F8E4M3ToFloat((byte)code);
            if (float.IsNaN(value))
            {
                continue;
            }
            var back = Fp8E4M3.Encode(value);
            Assert.That(HalfConversions.F8E4M3ToFloat(back), Is.EqualTo(value), $"code 0x{code:x2}");
        }
    }

    [Test]
    public void RoundsToTheNearestCodeAndSaturates()
    {
        var finite = Enumerable.Range(0, 256).Select(c => HalfConversions.F8E4M3ToFloat((byte)c)).Where(float.IsFinite).ToArray();
        var rng = new Random(3);
        for (int i = 0; i < 20000; i++)
        {
            var x = (float)((rng.NextDouble() * 2 - 1) * Math.Pow(2, rng.Next(-12, 10)));
            var got = HalfConversions.F8E4M3ToFloat(Fp8E4M3.Encode(x));
            var best = finite.Min(f => Math.Abs(f - Math.Clamp(x, -448f, 448f)));
            Assert.That(Math.Abs(got - Math.Clamp(x, -448f, 448f)), Is.EqualTo(best).Within(1e-12), $"x = {x:R}");
        }
        Assert.That(HalfConversions.F8E4M3ToFloat(Fp8E4M3.Encode(1e6f)), Is.EqualTo(448f));
        Assert.That(HalfConversions.F8E4M3ToFloat(Fp8E4M3.Encode(-1e6f)), Is.EqualTo(-448f));
    }
}
