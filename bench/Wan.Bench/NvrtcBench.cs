using BenchmarkDotNet.Attributes;
using Wan.Kernels.Compile;

namespace Wan.Bench;

/// <summary>
/// Compiling the first embedded CUDA kernel with NVRTC into an empty cache (cold) against loading
/// it from the on-disk kernel cache (hit). Needs libnvrtc; without it the setup fails with the
/// loader's message and the other suites still run.
/// </summary>
[Config(typeof(BenchConfig))]
public class NvrtcBench
{
    private static readonly CompileTarget Target = new(80, Ptx: true);
    private KernelSource _source = null!;
    private string _coldDirectory = null!, _warmDirectory = null!;

    [GlobalSetup]
    public void Setup()
    {
        _source = KernelSources.Kernels[0];
        _coldDirectory = Directory.CreateTempSubdirectory("wan-bench-nvrtc-cold-").FullName;
        _warmDirectory = Directory.CreateTempSubdirectory("wan-bench-nvrtc-warm-").FullName;
        new KernelCache(_warmDirectory).GetOrCompile(_source, KernelSources.Headers, Target, CompileOptions.Default);
    }

    [IterationSetup(Target = nameof(ColdCompile))]
    public void EmptyColdCache()
    {
        foreach (var file in Directory.GetFiles(_coldDirectory))
        {
            File.Delete(file);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Directory.Delete(_coldDirectory, recursive: true);
        Directory.Delete(_warmDirectory, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public CompiledKernel ColdCompile() => new KernelCache(_coldDirectory).GetOrCompile(_source, KernelSources.Headers, Target, CompileOptions.Default);

    [Benchmark]
    public CompiledKernel CacheHit() => new KernelCache(_warmDirectory).GetOrCompile(_source, KernelSources.Headers, Target, CompileOptions.Default);
}
