using BenchmarkDotNet.Attributes;
using Wan.Runtime.Backends.Cpu;
using Wan.Runtime.Tensors;

namespace Wan.Bench;

/// <summary>The norms of the DiT block on [tokens, 1536]: memory-bound (read once, write once).</summary>
[Config(typeof(BenchConfig))]
public class NormBench : IWorkload
{
    private const int Tokens = 768, Dim = 1536;
    private CpuBackend _b = null!;
    private Tensor _x = null!, _shift = null!, _scale = null!, _w = null!;

    [GlobalSetup]
    public void Setup()
    {
        var r = new Random(3);
        Tensor Rand(params int[] shape) => _b.FromHost([.. Enumerable.Range(0, shape.Aggregate(1, (a, x) => a * x)).Select(_ => (float)r.NextDouble() - 0.5f)], new Shape(shape));
        _b = new CpuBackend();
        _x = Rand(Tokens, Dim);
        _shift = Rand(Dim);
        _scale = Rand(Dim);
        _w = Rand(Dim);
    }

    [Benchmark]
    public Tensor ModulatedLayerNorm() => _b.ModulatedLayerNorm(_x, _shift, _scale, 1e-6f);

    [Benchmark]
    public Tensor RmsNorm() => _b.RmsNorm(_x, _w, 1e-6f);

    [Benchmark]
    public Tensor LayerNorm() => _b.LayerNorm(_x, _w, _shift, 1e-6f);

    public (double Amount, string Unit) Work(string method) => (2.0 * Tokens * Dim * sizeof(float) / 1e9, "GB");
}
