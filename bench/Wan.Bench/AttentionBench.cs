using BenchmarkDotNet.Attributes;
using Wan.Runtime.Backends;
using Wan.Runtime.Backends.Cpu;
using Wan.Runtime.Tensors;

namespace Wan.Bench;

/// <summary>CPU self-attention with Q/K RMSNorm and 3D RoPE fused, Wan2.1-1.3B shape (12 heads x 128).</summary>
[Config(typeof(BenchConfig))]
public class AttentionBench : IWorkload
{
    private const int Heads = 12, HeadDim = 128, Dim = Heads * HeadDim;
    private CpuBackend _b = null!;
    private Tensor _q = null!, _k = null!, _v = null!, _normQ = null!, _normK = null!;
    private RopeTable _rope = null!;

    /// <summary>Tokens: 768 = 256x256 with 9 frames; 3120 = 480x832... scaled to fit this machine.</summary>
    [Params(768, 3120)]
    public int Tokens { get; set; } = 768;

    [GlobalSetup]
    public void Setup()
    {
        var r = new Random(2);
        Tensor Rand(params int[] shape) => _b.FromHost([.. Enumerable.Range(0, shape.Aggregate(1, (a, x) => a * x)).Select(_ => (float)r.NextDouble() - 0.5f)], new Shape(shape));
        _b = new CpuBackend();
        _q = Rand(Tokens, Dim);
        _k = Rand(Tokens, Dim);
        _v = Rand(Tokens, Dim);
        _normQ = Rand(Dim);
        _normK = Rand(Dim);
        _rope = RopeTable.Wan3D(_b, HeadDim, (Tokens / 48, 6, 8));
    }

    [Benchmark]
    public Tensor SelfAttention() =>
        _b.Attention(_q, _k, _v, new AttentionSpec(Heads, 1f / MathF.Sqrt(HeadDim), Tokens, _normQ, _normK, 1e-6f, _rope));

    public (double Amount, string Unit) Work(string method) => (4.0 * Tokens * Tokens * Dim / 1e9, "GFLOP");
}
