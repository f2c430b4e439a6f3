using Wan.Runtime.Engine;
using Wan.Runtime.Pipeline;
using Wan.Runtime.Pipeline.Caching;
using Wan.Runtime.Pipeline.Solvers;
using Wan.Runtime.Tensors;
using Wan.Testing;

namespace Wan.Runtime.Tests.Caching;

/// <summary>The fixture model loaded on the CPU with a pipeline golden's T5 contexts, noise and guidance, ready to denoise.</summary>
internal sealed class FixturePipelineRun : IDisposable
{
    private readonly WanEngine _engine;
    private readonly Tensor _context, _negative;
    private readonly float[] _noise;
    private readonly int[] _shape;
    private readonly ExpertSchedule _experts;
    private readonly double _shift;
    private readonly string _solver;

    private FixturePipelineRun(FixtureCase c, WanEngine engine)
    {
        Case = c;
        _engine = engine;
        Pipeline = engine.Pipeline;
        var backend = Pipeline.Backends.Text;
        using var golden = c.OpenGolden();
        var p = c.Params;
        _context = backend.FromHost(golden.Get("context").ToFloatArray(), golden.Get("context").Shape);
        _negative = backend.FromHost(golden.Get("context_null").ToFloatArray(), golden.Get("context_null").Shape);
        var noise = golden.Get("noise");
        _noise = noise.ToFloatArray();
        _shape = noise.Shape.ToArray();
        Steps = p.GetProperty("steps").GetInt32();
        _shift = p.GetProperty("shift").GetDouble();
        _solver = p.GetProperty("solver").GetString()!;
        var guide = p.GetProperty("guide_scale_low_high");
        _experts = new ExpertSchedule(p.GetProperty("boundary").GetDouble(), FlowSolvers.WanTrainTimesteps, guide[0].GetDouble(), guide[1].GetDouble());
    }

    public FixtureCase Case { get; }
    public WanPipeline Pipeline { get; }
    public int Steps { get; }

    public static FixturePipelineRun Open(FixtureCase c)
    {
        var engine = WanEngine.Open(c.Set.Diffusers, new EngineOptions { Device = EngineDevice.Cpu });
        try
        {
            return new FixturePipelineRun(c, engine);
        }
        catch
        {
            engine.Dispose();
            throw;
        }
    }

    public IFlowSolver GoldenSolver() => Solver(Steps);

    public IFlowSolver Solver(int steps) => FlowSolvers.Create(_solver, steps, _shift);

    /// <summary>The final latent and the latent after every step.</summary>
    public (float[] Final, List<float[]> PerStep) Denoise(IFlowSolver solver, TeaCache? cache)
    {
        var perStep = new List<float[]>();
        var final = Pipeline.Denoise(_context, _negative, _noise, _shape, solver, _experts, p => perStep.Add(p.Latent.ToArray()), cache: cache);
        return (final, perStep);
    }

    public void Dispose()
    {
        _context.Dispose();
        _negative.Dispose();
        _engine.Dispose();
    }
}
