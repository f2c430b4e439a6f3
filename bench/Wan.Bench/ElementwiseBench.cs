using BenchmarkDotNet.Attributes;
using Wan.Runtime.Backends.Cpu;
using Wan.Runtime.Tensors;

namespace Wan.Bench;

/// <summary>Elementwise ops at the DiT's sizes: the FFN activation [768, 8960] and residual adds [768, 1536].</summary>
[Config(typeof(BenchConfig))]
public class ElementwiseBench : IWorkload
{
    private const int Tokens = 768, Dim = 1536, Ffn = 8960;
    private CpuBackend _b = null!;
    private Tensor _hidden = null!, _x = null!, _y = null!, _gate = null!;

    [GlobalSetup]
    public void Setup()
    {
        var r = new Random(5);
        _b = new CpuBackend();
        _hidden = BenchData.Tensor(_b, r, Tokens, Ffn);
        _x = BenchData.Tensor(_b, r, Tokens, Dim);
        _y = BenchData.Tensor(_b, r, Tokens, Dim);
        _gate = BenchData.Tensor(_b, r, Dim);
    }

    [Benchmark]
    public Tensor GeluTanh() => _b.GeluTanh(_hidden);

    [Benchmark]
    public Tensor Silu() => _b.Silu(_hidden);

    [Benchmark]
    public Tensor Add() => _b.Add(_x, _y);

    [Benchmark]
    public void GatedAddInPlace() => _b.GatedAddInPlace(_x, _y, _gate);

    /// <summary>Bytes read and written once.</summary>
    public (double Amount, string Unit) Work(string method) => method switch
    {
        nameof(GeluTanh) or nameof(Silu) => (2.0 * Tokens * Ffn * sizeof(float) / 1e9, "GB"),
        _ => (3.0 * Tokens * Dim * sizeof(float) / 1e9, "GB"),
    };
}
