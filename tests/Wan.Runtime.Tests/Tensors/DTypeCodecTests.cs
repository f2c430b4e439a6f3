using System.Buffers.Binary;
using Wan.Kernels.Numerics;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Tests.Tensors;

/// <summary>The dtype dispatch over FloatCodec: bytes of every float dtype in and out, and its refusals.</summary>
public class DTypeCodecTests
{
    private static readonly float[] Values = [0f, -0f, 1f, -2.5f, 0.1f, 3.140625f, 448f, -1e-3f, 65504f, 1.5e-5f, 1e5f, -3e-9f, 7f, 0.33f, 12f, -100f, 2.75f];

    [TestCase(DType.F32)]
    [TestCase(DType.F64)]
    [TestCase(DType.BF16)]
    [TestCase(DType.F16)]
    [TestCase(DType.F8E4M3)]
    public void EncodeThenDecodeGivesTheRoundedValues(DType dtype)
    {
        var bytes = new byte[Values.Length * dtype.SizeOf() + 3];
        DTypeCodec.Encode(Values, dtype, bytes);
        var decoded = Enumerable.Repeat(float.NaN, Values.Length).ToArray();
        DTypeCodec.Decode(dtype, bytes, decoded);
        Assert.That(decoded, Is.EqualTo(Values.Select(v => DTypeCodec.RoundTo(dtype, v))));
        if (dtype != DType.F32 && dtype != DType.F64)
        {
            Assert.That(decoded, Is.Not.EqualTo(Values), "the dtype rounds at least one of these values");
        }
    }

    [Test]
    public void BytesAreLittleEndianInTheStoredLayout()
    {
        var bytes = new byte[2 * Values.Length];
        DTypeCodec.Encode(Values, DType.BF16, bytes);
        for (int i = 0; i < Values.Length; i++)
        {
            Assert.That(BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(2 * i)), Is.EqualTo(FloatCodec.FloatToBF16(Values[i])));
        }
        var f64 = new byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(f64, 0.1);
        var one = new float[1];
        DTypeCodec.Decode(DType.F64, f64, one);
        Assert.That(one[0], Is.EqualTo(0.1f));
    }

    [Test]
    public void Fp8CodesDecodeToTheirDefinedValues()
    {
        var dst = new float[4];
        DTypeCodec.Decode(DType.F8E4M3, [0x38, 0x7E, 0x01, 0x7F], dst);
        Assert.That(dst[..3], Is.EqualTo(new[] { 1f, 448f, MathF.Pow(2, -9) }));
        Assert.That(float.IsNaN(dst[3]));
        DTypeCodec.Decode(DType.F8E5M2, [0x3C, 0x7B, 0x7C, 0xBC], dst);
        Assert.That(dst, Is.EqualTo(new[] { 1f, 57344f, float.PositiveInfinity, -1f }));
    }

    [Test]
    public void ShortBuffersAndNonFloatTypesAreRejected()
    {
        Assert.Throws<ArgumentException>(() => DTypeCodec.Decode(DType.F32, new byte[7], new float[2]));
        Assert.Throws<ArgumentException>(() => DTypeCodec.Encode(new float[2], DType.BF16, new byte[3]));
        Assert.Throws<InvalidOperationException>(() => DTypeCodec.Decode(DType.I32, new byte[8], new float[2]));
        Assert.Throws<InvalidOperationException>(() => DTypeCodec.Encode(new float[2], DType.F8E5M2, new byte[2]));
        Assert.Throws<InvalidOperationException>(() => DTypeCodec.RoundTo(DType.I8, 1f));
    }
}
