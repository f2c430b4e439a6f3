using Wan.Kernels.Ops;
using Wan.Runtime.Backends;
using Wan.Runtime.Backends.Cuda;
using Wan.Runtime.Tensors;
using Wan.Testing;
using static Wan.Testing.EmulatedTesting;
using static Wan.Testing.Metrics;

namespace Wan.Runtime.Tests.Backends.Cuda;

/// <summary>
/// CudaBackend.Attention (attention.cu on the emulated device) against the CPU backend's attention
/// on fresh random inputs: every supported head_dim, lengths that are no multiple of the tiles
/// (128 query rows, 64-key K/V tiles scored in halves of 32 at head_dim > 96) and span several of them
/// (the cp.async double buffer turns over), key masking, Q/K RMSNorm + RoPE, T5's additive bias. Outputs are fresh
/// emulated buffers (NaN until written), so a row the kernel misses fails the finiteness check.
/// </summary>
public sealed class CudaAttentionTests(DType storage) : EmulatedBackendFixture(storage)
{
    /// <summary>Every head_dim of the tensor-core kernels; the fp32 kernel also takes ones that are no multiple of 16.</summary>
    public static IEnumerable<int> HeadDims() => [16, 32, 40, 48, 64, 80, 96, 112, 128];

    [TestCaseSource(nameof(HeadDims))]
    public void SelfAttentionWithQkNormAndRope(int headDim)
    {
        if (!AttentionOps.Supports(ToElement(Storage), headDim))
        {
            Assert.That(() => Run(Cuda, 5, 5, 5, 2, headDim, 1f, qkNorm: false, rope: false, bias: false),
                Throws.TypeOf<ArgumentException>().With.Message.Contains($"head_dim {headDim}"));
            return;
        }
        int tokens = 67 + Random.Next(20);
        Compare(tokens, tokens, tokens, 2, headDim, 1f / MathF.Sqrt(headDim), qkNorm: true, rope: true, bias: false, $"self d{headDim}");
    }

    /// <summary>A table uploaded in the Storage dtype (already rounded) is widened for the fp32 pre-pass.</summary>
    [Test]
    public void SelfAttentionWithAStorageTypedRopeTable()
    {
        int tokens = 67 + Random.Next(20);
        Compare(tokens, tokens, tokens, 2, 64, 0.125f, qkNorm: true, rope: true, bias: false, "self, Storage-typed rope", storageTypedRope: true);
    }

    [Test]
    public void CrossAttentionMasksKeysPastTheValidLength()
    {
        int lq = 45 + Random.Next(30), lk = 70 + Random.Next(20), valid = 33 + Random.Next(20);
        Compare(lq, lk, valid, 3, 32, 1f / MathF.Sqrt(32), qkNorm: true, rope: false, bias: false, "cross masked");
    }

    [Test]
    public void MaskedKeysDoNotChangeTheOutput()
    {
        int lq = 21, lk = 77, valid = 35;
        var inputs = Inputs(lq, lk, 2, 32, qkNorm: false, rope: false, bias: false);
        var spec = new AttentionSpec(2, 0.2f, valid);
        var reference = Cuda.ToHost(Cuda.Attention(inputs.Q.Cuda, inputs.K.Cuda, inputs.V.Cuda, spec));
        var k = Cuda.ToHost(inputs.K.Cuda);
        var v = Cuda.ToHost(inputs.V.Cuda);
        for (int i = valid * 64; i < k.Length; i++)
        {
            k[i] = 1e4f;
            v[i] = float.NaN;
        }
        using var k2 = Cuda.FromHost(k, inputs.K.Cuda.Shape);
        using var v2 = Cuda.FromHost(v, inputs.V.Cuda.Shape);
        Assert.That(Cuda.ToHost(Cuda.Attention(inputs.Q.Cuda, k2, v2, spec)), Is.EqualTo(reference));
    }

    [TestCase(16)]
    [TestCase(64)]
    public void AdditiveBiasWithUnitScaleLikeT5(int headDim)
    {
        int tokens = 51 + Random.Next(20), valid = tokens - 7;
        Compare(tokens, tokens, valid, 2, headDim, 1f, qkNorm: false, rope: false, bias: true, $"bias d{headDim}");
    }

    /// <summary>
    /// Several query blocks and key tiles, none of the lengths a multiple of 16, 32, 64 or 128: the
    /// double buffer is refilled while the previous tile is in use, the last block is partly empty,
    /// the last tile is partly (or, at head_dim 128, half) masked.
    /// </summary>
    [TestCase(64, false)]
    [TestCase(64, true)]
    [TestCase(128, false)]
    [TestCase(128, true)]
    public void LongSequencesSpanSeveralBlocksAndTiles(int headDim, bool bias)
    {
        int lq = 263 + 2 * Random.Next(20), lk = 229 + 2 * Random.Next(20), valid = lk - 1 - 2 * Random.Next(12);
        Compare(lq, lk, valid, 2, headDim, 1f / MathF.Sqrt(headDim), qkNorm: !bias, rope: false, bias: bias,
            $"long d{headDim}{(bias ? " bias" : "")}");
    }

    /// <summary>valid_keys 193 = three full 64-key tiles and one live key: the last tile's second half is skipped.</summary>
    [Test]
    public void ALastTileWithOneLiveKey()
    {
        Compare(131, 250, 193, 2, 128, 1f / MathF.Sqrt(128), qkNorm: false, rope: false, bias: false, "one live key in the last tile");
    }

    [Test]
    public void OneValidKeyReturnsItsValue()
    {
        Compare(19, 40, 1, 2, 32, 0.3f, qkNorm: false, rope: false, bias: false, "one key");
    }

    [Test]
    public void BadArgumentsAreNamed()
    {
        var inputs = Inputs(8, 8, 2, 32, qkNorm: false, rope: false, bias: false);
        Assert.That(() => Cuda.Attention(inputs.Q.Cuda, inputs.K.Cuda, inputs.V.Cuda, new AttentionSpec(2, 1f, 9)),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("9 valid keys of 8"));
        Assert.That(() => Cuda.Attention(inputs.Q.Cuda, inputs.K.Cuda, inputs.V.Cuda, new AttentionSpec(5, 1f, 8)),
            Throws.ArgumentException.With.Message.Contains("5 heads"));
        using var wrongBias = Cuda.FromHost(new float[2 * 8 * 7], new Shape(2, 8, 7));
        Assert.That(() => Cuda.Attention(inputs.Q.Cuda, inputs.K.Cuda, inputs.V.Cuda, new AttentionSpec(2, 1f, 8, Bias: wrongBias)),
            Throws.ArgumentException.With.Message.Contains("attention bias"));
    }

    private void Compare(int lq, int lk, int valid, int heads, int headDim, float scale, bool qkNorm, bool rope, bool bias, string what,
        bool storageTypedRope = false)
    {
        var inputs = Inputs(lq, lk, heads, headDim, qkNorm, rope, bias, storageTypedRope);
        var expected = Cpu.ToHost(Run(Cpu, inputs, heads, scale, valid, Side.Cpu));
        var actual = Cuda.ToHost(Run(Cuda, inputs, heads, scale, valid, Side.Cuda));
        AssertClose(actual, expected, AttentionTolerance(Storage), $"attention {what} lq={lq} lk={lk} valid={valid} {Storage}");
    }

    private Tensor Run(IBackend backend, int lq, int lk, int valid, int heads, int headDim, float scale, bool qkNorm, bool rope, bool bias) =>
        Run(backend, Inputs(lq, lk, heads, headDim, qkNorm, rope, bias), heads, scale, valid, Side.Cuda);

    private static Tensor Run(IBackend backend, AttentionInputs x, int heads, float scale, int valid, Side side)
    {
        var spec = new AttentionSpec(heads, scale, valid, x.QNorm?.On(side), x.KNorm?.On(side), 1e-6f,
            x.Rope is { } r ? side == Side.Cpu ? r.Cpu : r.Cuda : null, x.Bias?.On(side));
        return backend.Attention(x.Q.On(side), x.K.On(side), x.V.On(side), spec);
    }

    /// <summary>RoPE tables go up in fp32 (<see cref="CudaBackend.FromHostF32"/>), or rounded to the Storage dtype with FromHost.</summary>
    private AttentionInputs Inputs(int lq, int lk, int heads, int headDim, bool qkNorm, bool rope, bool bias, bool storageTypedRope = false)
    {
        int dim = heads * headDim;
        RopeTable? cpuRope = null, cudaRope = null;
        if (rope)
        {
            var angles = Uniform(Random, lq * headDim / 2, -3f, 3f);
            var cos = Array.ConvertAll(angles, MathF.Cos);
            var sin = Array.ConvertAll(angles, MathF.Sin);
            var shape = new Shape(lq, headDim / 2);
            if (storageTypedRope)
            {
                cos = Representable(cos, Storage);
                sin = Representable(sin, Storage);
                cudaRope = new RopeTable(Cuda.FromHost(cos, shape), Cuda.FromHost(sin, shape));
            }
            else
            {
                cudaRope = new RopeTable(Cuda.FromHostF32(cos, shape), Cuda.FromHostF32(sin, shape));
            }
            cpuRope = new RopeTable(Cpu.FromHost(cos, shape), Cpu.FromHost(sin, shape));
        }
        return new AttentionInputs(
            Pair(lq, dim), Pair(lk, dim), Pair(lk, dim),
            qkNorm ? Pair(dim) : null, qkNorm ? Pair(dim) : null,
            rope ? (cpuRope!, cudaRope!) : null,
            bias ? Pair(heads, lq, lk) : null);
    }

    private Both Pair(params int[] dims)
    {
        var shape = new Shape(dims);
        var values = Representable(Uniform(Random, shape.Size), Storage);
        return new Both(Cpu.FromHost(values, shape), Cuda.FromHost(values, shape));
    }

    /// <summary>
    /// 16-bit Storage rounds the prepared Q/K, the probabilities P fed to the tensor cores and the
    /// output: a few roundings of 2⁻⁹ (bf16) or 2⁻¹² (fp16) relative; fp32 differs only in summation order.
    /// </summary>
    private static double AttentionTolerance(DType Storage) => Storage switch
    {
        DType.F32 => 2e-6,
        DType.BF16 => 8e-3,
        _ => 1e-3,
    };

    private static ElementType ToElement(DType Storage) => Storage switch
    {
        DType.F32 => ElementType.F32,
        DType.BF16 => ElementType.BF16,
        _ => ElementType.F16,
    };

    private enum Side
    {
        Cpu,
        Cuda,
    }

    private sealed record Both(Tensor Cpu, Tensor Cuda)
    {
        public Tensor On(Side side) => side == Side.Cpu ? Cpu : Cuda;
    }

    private sealed record AttentionInputs(Both Q, Both K, Both V, Both? QNorm, Both? KNorm, (RopeTable Cpu, RopeTable Cuda)? Rope, Both? Bias);
}
