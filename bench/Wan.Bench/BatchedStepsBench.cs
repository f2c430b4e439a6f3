using BenchmarkDotNet.Attributes;
using Wan.Runtime.Engine;
using Wan.Runtime.Pipeline;
using Wan.Runtime.Pipeline.Batching;
using Wan.Runtime.Pipeline.Solvers;
using Wan.Runtime.Tensors;

namespace Wan.Bench;

/// <summary>
/// Batched denoising on the CPU: one <see cref="BatchDenoiser.Step"/> of 1, 2 or 4 concurrent requests
/// (9 frames 64×64 on the tiny model, CFG; odd requests are routed to the low-noise expert, so both
/// experts run once 2 or more requests are batched). The Throughput column is request-steps per second, side by side
/// for the three batch sizes. The model is located as in <see cref="TinyPipelineBench"/>.
/// </summary>
[Config(typeof(BenchConfig))]
public class BatchedStepsBench : IWorkload
{
    private const int LongSchedule = 100_000;

    private WanEngine _engine = null!;
    private Tensor _context = null!, _negative = null!;
    private BatchDenoiser _batch = null!;
    private readonly List<DenoiseJob> _jobs = [];

    [Params(1, 2, 4)]
    public int Concurrent { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _engine = WanEngine.Open(TinyPipelineBench.LocateModel(), new EngineOptions { Device = EngineDevice.Cpu });
        var p = _engine.Pipeline;
        _context = p.EncodeText(p.Tokenize("a tiny red fox in the snow"));
        _negative = p.EncodeText(p.Tokenize(WanDefaults.NegativePrompt));
        var shape = new GenerationRequest { Prompt = "-", Frames = 9, Height = 64, Width = 64 }.LatentShape(p.Geometry);
        int count = shape.Aggregate(1, (a, b) => a * b);
        _batch = new BatchDenoiser(p, checkNonFinite: false);
        for (int i = 0; i < Concurrent; i++)
        {
            // A schedule too long to finish during the run; odd jobs are routed to the low-noise expert
            // (a boundary above every timestep), even ones stay on the high-noise expert (t near 999).
            var solver = FlowSolvers.Create("euler", LongSchedule, 12.0);
            var schedule = new ExpertSchedule(i % 2 == 0 ? p.Index.BoundaryRatio : 2.0, FlowSolvers.WanTrainTimesteps, 3.0, 4.0);
            var job = new DenoiseJob($"bench{i}", _context, _negative, NoiseGenerator.StandardNormal(i, count), shape, solver, schedule);
            _jobs.Add(job);
            _batch.Admit(job);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _batch.Dispose();
        _jobs.ForEach(j => j.Dispose());
        _context.Dispose();
        _negative.Dispose();
        _engine.Dispose();
    }

    [Benchmark]
    public int StepAll() => _batch.Step().Count;

    /// <summary>Request-steps per invocation.</summary>
    public (double Amount, string Unit) Work(string method) => (Concurrent, "steps");
}
