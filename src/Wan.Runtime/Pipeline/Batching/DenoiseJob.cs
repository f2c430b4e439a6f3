using System.Diagnostics;
using Wan.Runtime.Models.Dit;
using Wan.Runtime.Pipeline.Solvers;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Pipeline.Batching;

/// <summary>
/// One request being denoised by a <see cref="BatchDenoiser"/>: its latent (host, fp32), solver and
/// expert schedule (so its own timestep at every step), its two text contexts, and per expert the
/// prepared text K/V of both guidance branches (made when the job first reaches that expert, freed by
/// <see cref="Dispose"/>). The job owns neither context tensor.
/// </summary>
public sealed class DenoiseJob : IDisposable
{
    private readonly Dictionary<WanTransformer, (DitTextContext Cond, DitTextContext Uncond)> _texts = [];
    private readonly Stopwatch _clock = new();

    /// <summary>A job starting from <paramref name="noise"/> (copied) for latents of <paramref name="latentShape"/> [C, F, H, W].</summary>
    /// <exception cref="ArgumentException">the noise does not fill the shape.</exception>
    public DenoiseJob(string id, Tensor context, Tensor negativeContext, float[] noise, int[] latentShape, IFlowSolver solver, ExpertSchedule experts,
        Action<GenerationProgress>? progress = null, CancellationToken cancellation = default)
    {
        Shape = new Shape(latentShape);
        if (noise.Length != Shape.ElementCount)
        {
            throw new ArgumentException($"job {id}: initial latent has {noise.Length} values, shape {Shape} needs {Shape.ElementCount}");
        }
        Id = id;
        Context = context;
        NegativeContext = negativeContext;
        Latent = (float[])noise.Clone();
        Solver = solver;
        Experts = experts;
        Progress = progress;
        Cancellation = cancellation;
    }

    /// <summary>The caller's name for the job (appears in errors).</summary>
    public string Id { get; }

    /// <summary>The latent's shape [C, F, H, W]; jobs batched together share it.</summary>
    public Shape Shape { get; }

    /// <summary>The latent after <see cref="StepsDone"/> steps [C·F·H·W] (the final latent once <see cref="Finished"/>).</summary>
    public float[] Latent { get; }

    /// <summary>The job's solver (its timesteps and update rule).</summary>
    public IFlowSolver Solver { get; }

    /// <summary>Which expert and guidance each of its timesteps uses.</summary>
    public ExpertSchedule Experts { get; }

    /// <summary>Denoising steps completed.</summary>
    public int StepsDone { get; internal set; }

    /// <summary>Whether every step is done.</summary>
    public bool Finished => StepsDone == Solver.StepCount;

    /// <summary>The timestep of the next step (valid while not <see cref="Finished"/>).</summary>
    public long NextTimestep => Solver.Timesteps[StepsDone];

    /// <summary>Cancels the job between steps (the batch goes on without it).</summary>
    public CancellationToken Cancellation { get; }

    internal Tensor Context { get; }

    internal Tensor NegativeContext { get; }

    internal Action<GenerationProgress>? Progress { get; }

    internal TimeSpan Elapsed => _clock.Elapsed;

    internal void StartClock() => _clock.Start();

    /// <summary>The cond and uncond text K/V prepared for <paramref name="expert"/> (prepared now the first time).</summary>
    internal (DitTextContext Cond, DitTextContext Uncond) Texts(WanTransformer expert)
    {
        if (!_texts.TryGetValue(expert, out var texts))
        {
            var cond = expert.PrepareText(Context);
            try
            {
                texts = (cond, expert.PrepareText(NegativeContext));
            }
            catch
            {
                cond.Dispose();
                throw;
            }
            _texts.Add(expert, texts);
        }
        return texts;
    }

    /// <summary>Frees the prepared text K/V.</summary>
    public void Dispose()
    {
        foreach (var (cond, uncond) in _texts.Values)
        {
            cond.Dispose();
            uncond.Dispose();
        }
        _texts.Clear();
    }
}
