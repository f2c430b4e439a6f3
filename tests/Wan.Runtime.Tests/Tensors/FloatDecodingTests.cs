using System.Buffers.Binary;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Tests.Tensors;

public class FloatDecodingTests
{
    private static readonly float[] Values = [0f, -0f, 1f, -2.5f, 0.1f, 3.140625f, 448f, -1e-3f, 65504f, 1.5e-5f];

    [Test]
    public void EveryFloatDTypeDecodesItsEncodedValues()
    {
        var f64 = new byte[8 * Values.Length];
        var bf16 = new byte[2 * Values.Length];
        var f16 = new byte[2 * Values.Length];
        for (int i = 0; i < Values.Length; i++)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(f64.AsSpan(8 * i), Values[i]);
            BinaryPrimitives.WriteUInt16LittleEndian(bf16.AsSpan(2 * i), HalfConversions.FloatToBF16(Values[i]));
            BinaryPrimitives.WriteHalfLittleEndian(f16.AsSpan(2 * i), (Half)Values[i]);
        }
        var dst = new float[Values.Length];
        FloatDecoding.Decode(DType.F64, f64, dst);
        Assert.That(dst, Is.EqualTo(Values));
        FloatDecoding.Decode(DType.BF16, bf16, dst);
        Assert.That(dst, Is.EqualTo(Values.Select(HalfConversions.RoundToBF16)));
        FloatDecoding.Decode(DType.F16, f16, dst);
        Assert.That(dst, Is.EqualTo(Values.Select(HalfConversions.RoundToF16)));
    }

    [Test]
    public void Fp8CodesDecodeToTheirDefinedValues()
    {
        // E4M3 (fn): 0x38 = 1.0, 0x7E = 448 (max), 0x01 = 2^-9 (smallest subnormal), 0x7F = NaN.
        // E5M2: 0x3C = 1.0, 0x7B = 57344 (max), 0x7C = +inf.
        var dst = new float[4];
        FloatDecoding.Decode(DType.F8E4M3, [0x38, 0x7E, 0x01, 0x7F], dst);
        Assert.That(dst[..3], Is.EqualTo(new[] { 1f, 448f, MathF.Pow(2, -9) }));
        Assert.That(float.IsNaN(dst[3]));
        FloatDecoding.Decode(DType.F8E5M2, [0x3C, 0x7B, 0x7C, 0xBC], dst);
        Assert.That(dst, Is.EqualTo(new[] { 1f, 57344f, float.PositiveInfinity, -1f }));
    }

    [Test]
    public void ShortSourceAndIntegerTypesAreRejected()
    {
        Assert.Throws<ArgumentException>(() => FloatDecoding.Decode(DType.F32, new byte[7], new float[2]));
        Assert.Throws<InvalidOperationException>(() => FloatDecoding.Decode(DType.I32, new byte[8], new float[2]));
    }
}
