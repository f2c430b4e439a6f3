using Wan.Runtime.Engine;
using Wan.Runtime.Pipeline;
using Wan.Runtime.Pipeline.Batching;
using Wan.Runtime.Pipeline.Solvers;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Tests.Pipeline.Batching;

/// <summary>
/// Two or three requests of one shape with different prompts, seeds and guidance, admitted at different
/// steps so that a batch step holds samples of both experts (6 steps: the first 4 on the high-noise
/// expert): A alone for 3 steps, then A + B for 1, then A + B (+ C) to the end. Runs them batched, and
/// each alone through <see cref="WanPipeline.Denoise"/>.
/// </summary>
internal sealed class BatchScenario : IDisposable
{
    private static readonly (string Prompt, long Seed, double Low, double High)[] Requests =
    [
        ("a lighthouse at night", 5, 3.0, 4.0),
        ("a red fox in the snow", 11, 2.5, 5.0),
        ("waves on a pebble beach", 23, 3.5, 3.5),
    ];

    private readonly WanEngine _engine;
    private readonly List<(Tensor Cond, Tensor Uncond)> _contexts = [];

    public BatchScenario(WanEngine engine, int count = 3)
    {
        _engine = engine;
        Count = Math.Clamp(count, 2, Requests.Length);
        var p = engine.Pipeline;
        foreach (var r in Requests.Take(Count))
        {
            _contexts.Add((p.EncodeText(p.Tokenize(r.Prompt)), p.EncodeText(p.Tokenize(r.Prompt + ", blurry"))));
        }
    }

    public static GenerationRequest Shape => new() { Prompt = "-", Frames = 5, Height = 32, Width = 32, Steps = 6 };

    public int Count { get; }

    public DenoiseJob Job(int i, Action<GenerationProgress>? progress = null)
    {
        var (solver, schedule, noise) = Parts(i);
        return new DenoiseJob($"job{i}", _contexts[i].Cond, _contexts[i].Uncond, noise, Shape.LatentShape(_engine.Pipeline.Geometry), solver, schedule, progress);
    }

    /// <summary>Request i denoised alone by the pipeline's loop.</summary>
    public float[] Alone(int i)
    {
        var (solver, schedule, noise) = Parts(i);
        _engine.Pipeline.CaptureStepGraphs = false;
        return _engine.Pipeline.Denoise(_contexts[i].Cond, _contexts[i].Uncond, noise, Shape.LatentShape(_engine.Pipeline.Geometry), solver, schedule);
    }

    /// <summary>
    /// The three jobs through one <see cref="BatchDenoiser"/> with staggered admission; returns each job's
    /// final latent and, per batch step, the experts that ran in it.
    /// </summary>
    public (float[][] Latents, List<HashSet<string>> ExpertsPerStep) Batched()
    {
        var jobs = Enumerable.Range(0, Count).Select(i => Job(i)).ToArray();
        var experts = new List<HashSet<string>>();
        using var batch = new BatchDenoiser(_engine.Pipeline);
        void StepOnce()
        {
            var names = new HashSet<string>(batch.Active.Select(j => j.Experts.IsHighNoise(j.NextTimestep) ? "high" : "low"));
            batch.Step();
            experts.Add(names);
        }
        batch.Admit(jobs[0]);
        for (int s = 0; s < 3; s++)
        {
            StepOnce();
        }
        batch.Admit(jobs[1]);
        StepOnce();
        if (Count > 2)
        {
            batch.Admit(jobs[2]);
        }
        while (batch.Active.Count > 0)
        {
            StepOnce();
        }
        foreach (var j in jobs)
        {
            j.Dispose();
        }
        return ([.. jobs.Select(j => j.Latent)], experts);
    }

    private (IFlowSolver Solver, ExpertSchedule Schedule, float[] Noise) Parts(int i)
    {
        var r = Requests[i];
        var shape = Shape;
        var solver = FlowSolvers.Create(shape.Solver, shape.Steps, shape.Shift);
        var schedule = new ExpertSchedule(_engine.Pipeline.Index.BoundaryRatio, FlowSolvers.WanTrainTimesteps, r.Low, r.High);
        int count = shape.LatentShape(_engine.Pipeline.Geometry).Aggregate(1, (a, b) => a * b);
        return (solver, schedule, NoiseGenerator.StandardNormal(r.Seed, count));
    }

    public void Dispose()
    {
        foreach (var (c, u) in _contexts)
        {
            c.Dispose();
            u.Dispose();
        }
    }
}
