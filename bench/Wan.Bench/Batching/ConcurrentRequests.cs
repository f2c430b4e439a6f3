using Wan.Runtime.Pipeline;
using Wan.Runtime.Pipeline.Batching;
using Wan.Runtime.Pipeline.Solvers;
using Wan.Runtime.Tensors;

namespace Wan.Bench.Batching;

/// <summary>
/// A <see cref="BatchDenoiser"/> holding <see cref="Count"/> concurrent requests on the tiny model (9 frames 64×64, CFG):
/// schedules too long to finish during a run; odd requests are routed to the low-noise expert (a boundary above every
/// timestep), even ones stay on the high-noise expert, so both experts run once 2 or more requests are batched.
/// </summary>
internal sealed class ConcurrentRequests : IDisposable
{
    private const int LongSchedule = 100_000;
    private readonly List<DenoiseJob> _jobs = [];

    /// <summary>Admits <paramref name="count"/> requests encoded with <paramref name="context"/>/<paramref name="negative"/> (owned by the caller).</summary>
    public ConcurrentRequests(WanPipeline pipeline, Tensor context, Tensor negative, int count)
    {
        Count = count;
        var shape = new GenerationRequest { Prompt = "-", Frames = 9, Height = 64, Width = 64 }.LatentShape(pipeline.Geometry);
        int elements = shape.Aggregate(1, (a, b) => a * b);
        Denoiser = new BatchDenoiser(pipeline, checkNonFinite: false);
        for (int i = 0; i < count; i++)
        {
            var solver = FlowSolvers.Create("euler", LongSchedule, 12.0);
            var schedule = new ExpertSchedule(i % 2 == 0 ? pipeline.Index.BoundaryRatio : 2.0, FlowSolvers.WanTrainTimesteps, 3.0, 4.0);
            var job = new DenoiseJob($"bench{i}", context, negative, NoiseGenerator.StandardNormal(i, elements), shape, solver, schedule);
            _jobs.Add(job);
            Denoiser.Admit(job);
        }
    }

    /// <summary>Requests in the batch.</summary>
    public int Count { get; }

    /// <summary>The batch: one <see cref="BatchDenoiser.Step"/> advances every request by one step.</summary>
    public BatchDenoiser Denoiser { get; }

    /// <summary>Frees the batch and its jobs.</summary>
    public void Dispose()
    {
        Denoiser.Dispose();
        _jobs.ForEach(j => j.Dispose());
    }
}
