using BenchmarkDotNet.Attributes;
using Wan.Runtime.Engine;
using Wan.Runtime.Pipeline;

namespace Wan.Bench.Caching;

/// <summary>
/// Time of a 20-step CFG generation on the tiny model (CPU, 9 frames 64×64) without step caching and with TeaCache at
/// three thresholds; <see cref="StepCacheTableCommand"/> prints the matching forwards-skipped and error figures.
/// </summary>
[Config(typeof(BenchConfig))]
public class StepCacheBench
{
    private WanEngine _engine = null!;

    private static readonly GenerationRequest Request = new()
    {
        Prompt = "a tiny red fox in the snow",
        Frames = 9,
        Height = 64,
        Width = 64,
        Steps = 20,
        Seed = 3,
    };

    /// <summary>TeaCache threshold; negative = no caching.</summary>
    [Params(-1.0, 0.8, 1.6, 3.2)]
    public double Threshold { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _engine = WanEngine.Open(TinyPipelineBench.LocateModel(), new EngineOptions { Device = EngineDevice.Cpu });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _engine.Dispose();
    }

    [Benchmark]
    public float[] Generate() => _engine.Generate(Request with { CacheThreshold = Threshold < 0 ? null : Threshold }).Latent;
}
