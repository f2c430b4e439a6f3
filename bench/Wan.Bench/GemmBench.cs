using BenchmarkDotNet.Attributes;
using Wan.Kernels;
using Wan.Runtime.Backends.Cpu;
using Wan.Runtime.Tensors;
using Wan.Runtime.Weights;

namespace Wan.Bench;

/// <summary>
/// The CPU backend's linear op against the bare OpenBLAS sgemm ceiling on the same shapes (the
/// baseline): with a float32 weight in memory, and with the weight memory-mapped as BF16 and
/// converted block by block (the real-size path), with and without releasing the weight's pages after each use. Shapes: 768 tokens (256x256, 9 frames) through
/// the Wan2.1-1.3B projections.
/// </summary>
[Config(typeof(BenchConfig))]
public class GemmBench : IWorkload
{
    private CpuBackend _backend = null!, _keepPagesBackend = null!;
    private Tensor _x = null!, _w = null!, _bias = null!, _mappedW = null!, _keptX = null!, _keptW = null!, _keptBias = null!;
    private string _bf16Path = null!;
    private float[] _a = null!, _b = null!, _c = null!;

    [Params("768x1536x1536", "768x1536x8960", "768x8960x1536")]
    public string Shape { get; set; } = "768x1536x1536";

    private (int N, int K, int M) Dims
    {
        get
        {
            var p = Shape.Split('x').Select(int.Parse).ToArray();
            return (p[0], p[1], p[2]);
        }
    }

    [GlobalSetup]
    public void Setup()
    {
        var (n, k, m) = Dims;
        var r = new Random(1);
        float[] Rand(int count) => [.. Enumerable.Range(0, count).Select(_ => (float)r.NextDouble() - 0.5f)];
        _backend = new CpuBackend();
        _a = Rand(n * k);
        _b = Rand(m * k);
        _c = new float[n * m];
        _x = _backend.FromHost(_a, new Shape(n, k));
        _w = _backend.FromHost(_b, new Shape(m, k));
        var bias = Rand(m);
        _bias = _backend.FromHost(bias, new Shape(m));
        _bf16Path = BenchData.WriteBf16("gemm_weight", _b, new Shape(m, k));
        using var file = SafetensorsFile.Open(_bf16Path);
        _mappedW = _backend.LoadWeight(file.Get("gemm_weight"));
        _keepPagesBackend = new CpuBackend { ReleaseWeightPagesAfterLinear = false };
        _keptX = _keepPagesBackend.FromHost(_a, new Shape(n, k));
        _keptBias = _keepPagesBackend.FromHost(bias, new Shape(m));
        _keptW = _keepPagesBackend.LoadWeight(file.Get("gemm_weight"));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _backend.Dispose();
        _keepPagesBackend.Dispose();
        File.Delete(_bf16Path);
    }

    [Benchmark(Baseline = true)]
    public void OpenBlasSgemm()
    {
        var (n, k, m) = Dims;
        Blas.Sgemm(false, true, n, m, k, 1f, _a, k, _b, k, 0f, _c, m);
    }

    [Benchmark]
    public Tensor CpuLinear() => _backend.Linear(_x, _w, _bias);

    [Benchmark]
    public Tensor CpuLinearMappedBf16() => _backend.Linear(_x, _mappedW, _bias);

    /// <summary>The same without dropping the weight's pages afterwards: the cost of faulting them back in.</summary>
    [Benchmark]
    public Tensor CpuLinearMappedBf16KeepPages() => _keepPagesBackend.Linear(_keptX, _keptW, _keptBias);

    public (double Amount, string Unit) Work(string method)
    {
        var (n, k, m) = Dims;
        return (2.0 * n * k * m / 1e9, "GFLOP");
    }
}
