using System.Runtime.InteropServices;
using Wan.Kernels.Numerics;
using Wan.Kernels.Ops;
using Wan.Runtime.Tensors;
using static Wan.Testing.EmulatedTesting;
using static Wan.Testing.Metrics;

namespace Wan.Kernels.Tests.Emulated;

/// <summary>The kernels' own fp16/bf16 conversions (common.cuh) against the host's (FloatCodec), bit for bit.</summary>
[Category("Emulated")]
public sealed class ConversionTests
{
    [TestCase(ElementType.BF16)]
    [TestCase(ElementType.F16)]
    public void Fp32To16BitAndBackMatchesTheHostBits(ElementType type)
    {
        var random = NewRandom();
        // Edge cases: signed zeros, half's largest finite value and the ties around it, half
        // subnormals and the ties that round them to zero or up, float subnormals, infinities.
        var values = new List<float> { 0f, -0f, 65504f, 65519.99f, 65520f, -65536f, 6.1035156e-5f, 6.0975552e-5f, 5.9604645e-8f, 2.9802322e-8f, 2.98024e-8f, 8.940697e-8f, 1e-40f, float.PositiveInfinity, float.NegativeInfinity, 3.3895314e38f, 1.00390625f, 1.01171875f };
        for (int i = 0; i < 3000; i++)
        {
            var v = BitConverter.Int32BitsToSingle(random.Next() | (random.Next(2) << 31));
            values.Add(float.IsNaN(v) ? 1f : v);
        }
        values.AddRange(Uniform(random, 1000, -70000f, 70000f));
        values.AddRange(Uniform(random, 1000, -1e-4f, 1e-4f));
        var input = values.ToArray();
        var expected = Representable(input, DeviceArrays.ToDType(type));

        using var dx = DeviceArrays.Upload(Emulator, input, ElementType.F32);
        using var d16 = DeviceArrays.Poisoned(Emulator, input.Length, type);
        using var dback = DeviceArrays.Poisoned(Emulator, input.Length, ElementType.F32);
        ElementwiseOps.Convert(Emulator, ElementType.F32, type, dx, d16, input.Length);
        ElementwiseOps.Convert(Emulator, type, ElementType.F32, d16, dback, input.Length);

        var narrowed = DeviceArrays.Download(Emulator, d16, input.Length, type);
        var widened = DeviceArrays.Download(Emulator, dback, input.Length, ElementType.F32);
        var deviceBits = DeviceArrays.DownloadBytes<ushort>(Emulator, d16, input.Length);
        var hostBits = new ushort[input.Length];
        if (type == ElementType.BF16)
        {
            FloatCodec.FloatToBF16(input, hostBits);
        }
        else
        {
            FloatCodec.FloatToF16(input, MemoryMarshal.Cast<ushort, Half>(hostBits.AsSpan()));
        }
        for (int i = 0; i < input.Length; i++)
        {
            int want = BitConverter.SingleToInt32Bits(expected[i]);
            Assert.That(BitConverter.SingleToInt32Bits(narrowed[i]), Is.EqualTo(want), $"{type} of {input[i]:R}");
            Assert.That(BitConverter.SingleToInt32Bits(widened[i]), Is.EqualTo(want), $"{type} of {input[i]:R} widened");
            Assert.That(deviceBits[i], Is.EqualTo(hostBits[i]), $"{type} bits of {input[i]:R}: kernel vs FloatCodec");
        }
    }

    [Test]
    public void Bf16NaNsStayQuietNaNsWithTheirSign()
    {
        float[] nans = [BitConverter.Int32BitsToSingle(0x7F80_0001), BitConverter.Int32BitsToSingle(unchecked((int)0xFFC1_2345)), float.NaN];
        var bits = new ushort[nans.Length];
        FloatCodec.FloatToBF16(nans, bits);
        Assert.Multiple(() =>
        {
            Assert.That(bits[0], Is.EqualTo((ushort)0x7FC0), "a signalling NaN becomes quiet, not infinity");
            Assert.That(bits[1], Is.EqualTo((ushort)0xFFC1));
            Assert.That(float.IsNaN(FloatCodec.BF16ToFloat(bits[2])));
            Assert.That(() => FloatCodec.FloatToBF16(nans, new ushort[2]), Throws.ArgumentException);
        });
    }

    [Test]
    public void ConvertingBetweenTwo16BitTypesIsRefused()
    {
        using var buffer = Emulator.Allocate(64);
        Assert.Throws<ArgumentException>(() => ElementwiseOps.Convert(Emulator, ElementType.BF16, ElementType.F16, buffer, buffer, 8));
    }
}
