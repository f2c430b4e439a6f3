using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using Wan.Kernels.Numerics;

namespace Wan.Bench;

/// <summary>
/// The vectorised FloatCodec against the scalar loops it replaced (kept here, verbatim in behaviour,
/// as the baselines): decoding 4 Mi stored values to float32 — the work the CPU backend does for
/// every block of a mapped weight — and encoding float32 to bf16 (uploads, wan-convert). Pairs
/// share a category so the ratio column compares like with like.
/// </summary>
[Config(typeof(BenchConfig))]
[GroupBenchmarksBy(BenchmarkDotNet.Configs.BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class FloatCodecBench : IWorkload
{
    private const int Count = 1 << 22;
    private byte[] _bf16 = null!, _f16 = null!, _f8 = null!;
    private float[] _values = null!, _decoded = null!;
    private ushort[] _encoded = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(7);
        _values = [.. Enumerable.Range(0, Count).Select(_ => (float)(random.NextDouble() * 8 - 4))];
        _bf16 = new byte[2 * Count];
        _f16 = new byte[2 * Count];
        _f8 = new byte[Count];
        random.NextBytes(_f8);
        FloatCodec.FloatToBF16(_values, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(_bf16.AsSpan()));
        FloatCodec.FloatToF16(_values, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, Half>(_f16.AsSpan()));
        _decoded = new float[Count];
        _encoded = new ushort[Count];
    }

    [Benchmark(Baseline = true), BenchmarkCategory("bf16 decode")]
    public float Bf16DecodeScalar()
    {
        for (int i = 0; i < Count; i++)
        {
            _decoded[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(_bf16.AsSpan(2 * i)) << 16);
        }
        return _decoded[^1];
    }

    [Benchmark, BenchmarkCategory("bf16 decode")]
    public float Bf16DecodeVectorised()
    {
        FloatCodec.BF16ToFloat(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(_bf16.AsSpan()), _decoded);
        return _decoded[^1];
    }

    [Benchmark(Baseline = true), BenchmarkCategory("fp16 decode")]
    public float F16DecodeScalar()
    {
        for (int i = 0; i < Count; i++)
        {
            _decoded[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(_f16.AsSpan(2 * i));
        }
        return _decoded[^1];
    }

    [Benchmark, BenchmarkCategory("fp16 decode")]
    public float F16DecodeVectorised()
    {
        FloatCodec.F16ToFloat(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, Half>(_f16.AsSpan()), _decoded);
        return _decoded[^1];
    }

    [Benchmark(Baseline = true), BenchmarkCategory("fp8 e4m3 decode")]
    public float F8DecodeScalar()
    {
        for (int i = 0; i < Count; i++)
        {
            _decoded[i] = F8E4M3ByFormula(_f8[i]);
        }
        return _decoded[^1];
    }

    [Benchmark, BenchmarkCategory("fp8 e4m3 decode")]
    public float F8DecodeTable()
    {
        FloatCodec.F8E4M3ToFloat(_f8, _decoded);
        return _decoded[^1];
    }

    [Benchmark(Baseline = true), BenchmarkCategory("bf16 encode")]
    public ushort Bf16EncodeScalar()
    {
        for (int i = 0; i < Count; i++)
        {
            _encoded[i] = FloatCodec.FloatToBF16(_values[i]);
        }
        return _encoded[^1];
    }

    [Benchmark, BenchmarkCategory("bf16 encode")]
    public ushort Bf16EncodeVectorised()
    {
        FloatCodec.FloatToBF16(_values, _encoded);
        return _encoded[^1];
    }

    /// <summary>The replaced decoder (HalfConversions.F8E4M3ToFloat): a power per value.</summary>
    private static float F8E4M3ByFormula(byte b)
    {
        int exp = (b >> 3) & 0xF, man = b & 7;
        float v = exp == 0xF && man == 7 ? float.NaN
            : exp == 0 ? man / 8f * MathF.Pow(2, -6)
            : (1 + man / 8f) * MathF.Pow(2, exp - 7);
        return (b & 0x80) != 0 ? -v : v;
    }

    /// <summary>Bytes read plus bytes written per invocation.</summary>
    public (double Amount, string Unit) Work(string method) => method switch
    {
        nameof(F8DecodeScalar) or nameof(F8DecodeTable) => (5.0 * Count / 1e9, "GB"),
        _ => (6.0 * Count / 1e9, "GB"),
    };
}
