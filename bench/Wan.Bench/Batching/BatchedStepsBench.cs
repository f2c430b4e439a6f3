using BenchmarkDotNet.Attributes;
using Wan.Runtime.Engine;
using Wan.Runtime.Pipeline;
using Wan.Runtime.Tensors;

namespace Wan.Bench.Batching;

/// <summary>
/// Batched denoising on the CPU: one <see cref="Wan.Runtime.Pipeline.Batching.BatchDenoiser.Step"/> of 1, 2 or 4
/// concurrent requests (<see cref="ConcurrentRequests"/>). The Throughput column is request-steps per second, but
/// BenchmarkDotNet measures the three sizes one after the other, so on a shared machine their ratio moves with the
/// load: <see cref="BatchThroughputCommand"/> interleaves them for a conclusive ratio.
/// The model is located as in <see cref="TinyPipelineBench"/>.
/// </summary>
[Config(typeof(BenchConfig))]
public class BatchedStepsBench : IWorkload
{
    private WanEngine _engine = null!;
    private Tensor _context = null!, _negative = null!;
    private ConcurrentRequests _batch = null!;

    [Params(1, 2, 4)]
    public int Concurrent { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _engine = WanEngine.Open(TinyPipelineBench.LocateModel(), new EngineOptions { Device = EngineDevice.Cpu });
        var p = _engine.Pipeline;
        _context = p.EncodeText(p.Tokenize("a tiny red fox in the snow"));
        _negative = p.EncodeText(p.Tokenize(WanDefaults.NegativePrompt));
        _batch = new ConcurrentRequests(p, _context, _negative, Concurrent);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _batch.Dispose();
        _context.Dispose();
        _negative.Dispose();
        _engine.Dispose();
    }

    [Benchmark]
    public int StepAll() => _batch.Denoiser.Step().Count;

    /// <summary>Request-steps per invocation.</summary>
    public (double Amount, string Unit) Work(string method) => (Concurrent, "steps");
}
