using System.Diagnostics;
using Wan.Runtime.Backends;
using Wan.Runtime.Lora;
using Wan.Runtime.Models.Dit;
using Wan.Runtime.Pipeline.Solvers;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Pipeline.LongVideo;

/// <summary>
/// Chunked (autoregressive) denoising with the rolling K/V cache, after Self-Forcing's CausalInferencePipeline
/// (pipeline/causal_inference.py): the latent [C, F, H, W] is generated chunk after chunk; each chunk starts from its
/// slice of the initial noise, runs the whole solver schedule (a fresh solver per chunk) with every forward a
/// <see cref="WanTransformer.ForwardChunk"/> that reads the cache but does not change it, and once final is re-run at
/// the context timestep to store its K/V. Every (expert, guidance branch) pair the schedule uses keeps its own cache
/// (the keys of a layer depend on the text and the weights), refilled after every chunk by its own forward.
/// </summary>
internal static class ChunkedDenoiser
{
    /// <summary>The final latent; progress after every step (Step counted over all chunks) and every chunk.</summary>
    public static float[] Denoise(WanTransformer highNoise, WanTransformer? lowNoise, Tensor context, Tensor? negativeContext, float[] noise,
        Shape shape, Func<int, IFlowSolver> newSolver, ExpertSchedule experts, ChunkSchedule schedule, bool checkNonFinite,
        Action<GenerationProgress>? progress, CancellationToken cancellation, ExpertAdapters? adapters)
    {
        var chunks = schedule.Chunks(shape[1]);
        var firstSolver = newSolver(0);
        var plan = Enumerable.Range(0, firstSolver.StepCount).Select(i => Expert(highNoise, lowNoise, firstSolver, experts, i)).ToArray();
        var texts = new Dictionary<WanTransformer, (DitTextContext Cond, DitTextContext? Uncond)>();
        var caches = new Dictionary<(WanTransformer, bool Uncond), DitKvCache>();
        try
        {
            foreach (var (dit, guidance, _) in plan)
            {
                bool guided = guidance != 1f;
                if (!texts.TryGetValue(dit, out var text))
                {
                    texts[dit] = text = (dit.PrepareText(context, adapters?.For(dit)), null);
                }
                caches.TryAdd((dit, false), schedule.NewCache(dit.Config.Layers));
                if (guided)
                {
                    if (text.Uncond is null)
                    {
                        var negative = negativeContext ?? throw new ArgumentException($"guidance {guidance} needs a negative context", nameof(negativeContext));
                        texts[dit] = text = (text.Cond, dit.PrepareText(negative, adapters?.For(dit)));
                    }
                    caches.TryAdd((dit, true), schedule.NewCache(dit.Config.Layers));
                }
            }
            return Run(shape, noise, chunks, newSolver, firstSolver, plan, texts, caches, schedule, checkNonFinite, progress, cancellation);
        }
        finally
        {
            foreach (var cache in caches.Values)
            {
                cache.Dispose();
            }
            foreach (var (cond, uncond) in texts.Values)
            {
                cond.Dispose();
                uncond?.Dispose();
            }
        }
    }

    private static float[] Run(Shape shape, float[] noise, IReadOnlyList<(int Start, int Frames)> chunks, Func<int, IFlowSolver> newSolver, IFlowSolver firstSolver,
        (WanTransformer Dit, float Guidance, string Name)[] plan, Dictionary<WanTransformer, (DitTextContext Cond, DitTextContext? Uncond)> texts,
        Dictionary<(WanTransformer, bool Uncond), DitKvCache> caches, ChunkSchedule schedule, bool checkNonFinite,
        Action<GenerationProgress>? progress, CancellationToken cancellation)
    {
        int channels = shape[0], frames = shape[1], plane = checked(shape[2] * shape[3]);
        var latent = (float[])noise.Clone();
        int steps = plan.Length, totalSteps = checked(steps * chunks.Count);
        var clock = Stopwatch.StartNew();
        for (int k = 0; k < chunks.Count; k++)
        {
            var (start, length) = chunks[k];
            var chunkShape = new Shape(channels, length, shape[2], shape[3]);
            var x = Slice(latent, channels, frames, plane, start, length);
            var solver = k == 0 ? firstSolver : newSolver(k);
            for (int i = 0; i < steps; i++)
            {
                cancellation.ThrowIfCancellationRequested();
                var stepClock = Stopwatch.StartNew();
                var (dit, guidance, name) = plan[i];
                var text = texts[dit];
                double t = solver.ModelTimesteps[i];
                int stepNumber = k * steps + i + 1;
                var cond = Predict(dit, x, chunkShape, t, text.Cond, caches[(dit, false)], store: false, cancellation);
                var uncond = guidance == 1f ? null : Predict(dit, x, chunkShape, t, text.Uncond!, caches[(dit, true)], store: false, cancellation);
                if (checkNonFinite && HostMath.CountNonFinite(cond) + (uncond is null ? 0 : HostMath.CountNonFinite(uncond)) is > 0 and var bad)
                {
                    throw NonFiniteLatentException.Denoising(stepNumber, totalSteps, name, solver.Timesteps[i], "the DiT prediction", bad, dit.Backend.Storage, dit.Backend.Name);
                }
                solver.Step(uncond is null ? cond : GuidedExpertStep.Combine(cond, uncond, guidance), i, x);
                if (checkNonFinite && HostMath.CountNonFinite(x) is > 0 and var inLatent)
                {
                    throw NonFiniteLatentException.Denoising(stepNumber, totalSteps, name, solver.Timesteps[i], "the latent after the solver update", inLatent, DType.F32, "the host");
                }
                progress?.Invoke(new GenerationProgress(GenerationStage.Denoising, stepNumber, totalSteps, name, solver.Timesteps[i], clock.Elapsed,
                    stepClock.Elapsed, x) { Chunk = k + 1, ChunkCount = chunks.Count });
            }
            Place(x, latent, channels, frames, plane, start, length);
            cancellation.ThrowIfCancellationRequested();
            // The finished chunk joins every cache once, as the context the later chunks attend to.
            foreach (var ((dit, uncond), cache) in caches)
            {
                var text = uncond ? texts[dit].Uncond! : texts[dit].Cond;
                Predict(dit, x, chunkShape, schedule.ContextTimestep, text, cache, store: true, cancellation);
            }
            progress?.Invoke(new GenerationProgress(GenerationStage.DenoisingChunk, (k + 1) * steps, totalSteps, null, 0, clock.Elapsed, clock.Elapsed, default)
                { Chunk = k + 1, ChunkCount = chunks.Count });
        }
        return latent;
    }

    private static float[] Predict(WanTransformer dit, float[] x, Shape shape, double t, DitTextContext text, DitKvCache cache, bool store,
        CancellationToken cancellation)
    {
        var b = dit.Backend;
        using var input = b.FromHost(x, shape);
        using var output = dit.ForwardChunk(input, t, text, cache, store, cancellation);
        return b.ToHost(output);
    }

    /// <summary>The expert, its guidance and its name at step i (the rule of <see cref="WanPipeline.Denoise"/>).</summary>
    private static (WanTransformer Dit, float Guidance, string Name) Expert(WanTransformer highNoise, WanTransformer? lowNoise, IFlowSolver solver,
        ExpertSchedule experts, int i)
    {
        double t = solver.ModelTimesteps[i];
        bool high = solver.ExpertBoundaryStep is { } boundary ? experts.BoundaryRatio is not null && i < boundary : experts.IsHighNoise(t);
        var dit = high || lowNoise is null ? highNoise : lowNoise;
        var name = lowNoise is null ? "transformer" : high ? "transformer (high noise)" : "transformer_2 (low noise)";
        return (dit, (float)(high ? experts.GuidanceHigh : experts.GuidanceLow), name);
    }

    /// <summary>Latent frames [start, start + length) of every channel of [C, F, plane] → [C, length, plane].</summary>
    internal static float[] Slice(float[] latent, int channels, int frames, int plane, int start, int length)
    {
        var chunk = new float[checked(channels * length * plane)];
        for (int c = 0; c < channels; c++)
        {
            latent.AsSpan((c * frames + start) * plane, length * plane).CopyTo(chunk.AsSpan(c * length * plane));
        }
        return chunk;
    }

    private static void Place(float[] chunk, float[] latent, int channels, int frames, int plane, int start, int length)
    {
        for (int c = 0; c < channels; c++)
        {
            chunk.AsSpan(c * length * plane, length * plane).CopyTo(latent.AsSpan((c * frames + start) * plane));
        }
    }
}
