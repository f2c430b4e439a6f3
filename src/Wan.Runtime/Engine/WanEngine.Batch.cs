using System.Diagnostics;
using Wan.Runtime.Pipeline;
using Wan.Runtime.Pipeline.Batching;
using Wan.Runtime.Pipeline.Solvers;
using Wan.Runtime.Video;

namespace Wan.Runtime.Engine;

public sealed partial class WanEngine
{
    /// <summary>
    /// Several requests of one video size generated together: their texts are encoded one by one, then
    /// they are denoised as one batch (<see cref="BatchDenoiser"/>: each request's cond and uncond branch
    /// in the same forward, samples routed to the expert of their own timestep, so requests with different
    /// step counts or schedules share forwards even while they need different experts), then each video is
    /// decoded. Result i equals <see cref="Generate"/> of request i alone (bit for bit on the CPU backend).
    /// Serialized with <see cref="Generate"/> like any generation on this engine.
    /// </summary>
    /// <param name="requests">at least one request; all with the same frames, height and width.</param>
    /// <param name="progress">called with the request's index and its progress.</param>
    /// <param name="cancellation">cancels the whole batch between blocks and steps.</param>
    /// <exception cref="ArgumentException">no request, a request asks for LoRA styles, step caching, guidance 1 or long-video settings
    /// (chunks, an attention window, several context windows), or two requests differ in latent shape.</exception>
    /// <exception cref="Wan.Errors.RequestException">a request cannot run on this model (names the setting).</exception>
    /// <exception cref="NotSupportedException">the DiT's backend has no expert-routing ops.</exception>
    /// <exception cref="NonFiniteLatentException">NaN/Inf appeared (when <see cref="EngineOptions.CheckNonFinite"/>); names the request.</exception>
    /// <exception cref="OperationCanceledException">cancelled.</exception>
    public IReadOnlyList<GenerationResult> GenerateBatch(IReadOnlyList<GenerationRequest> requests, Action<int, GenerationProgress>? progress = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        if (requests.Count == 0)
        {
            throw new ArgumentException("a batch needs at least one request", nameof(requests));
        }
        for (int i = 0; i < requests.Count; i++)
        {
            if (requests[i].Loras is { IsEmpty: false })
            {
                throw new ArgumentException($"request {i}: LoRA styles are not applied in batched generation yet; generate it alone", nameof(requests));
            }
            if (requests[i].CacheThreshold is not null)
            {
                throw new ArgumentException($"request {i}: step caching (TeaCache) is not applied in batched generation yet; generate it alone", nameof(requests));
            }
            if (requests[i].ChunkFrames is not null || requests[i].AttentionWindow is not null || requests[i].ContextWindows(Pipeline.Geometry).Windows.Count > 1)
            {
                throw new ArgumentException($"request {i}: long-video settings (chunked generation, attention window, several context windows) are not batched yet; generate it alone", nameof(requests));
            }
            if (requests[i] is { GuidanceLow: 1, GuidanceHigh: 1 })
            {
                throw new ArgumentException($"request {i}: guidance 1 (no classifier-free guidance) is not batched yet; generate it alone", nameof(requests));
            }
        }
        var shape = requests[0].LatentShape(Pipeline.Geometry);
        for (int i = 1; i < requests.Count; i++)
        {
            if (!requests[i].LatentShape(Pipeline.Geometry).SequenceEqual(shape))
            {
                throw new ArgumentException($"request {i}: latent [{string.Join(", ", requests[i].LatentShape(Pipeline.Geometry))}] differs from request 0's [{string.Join(", ", shape)}]: a batch holds one video size", nameof(requests));
            }
        }
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        _generation.Wait(cancellation);
        var owned = new List<IDisposable>();
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            return RunBatch(requests, shape, owned, progress, cancellation);
        }
        finally
        {
            owned.ForEach(d => d.Dispose());
            _generation.Release();
        }
    }

    private GenerationResult[] RunBatch(IReadOnlyList<GenerationRequest> requests, int[] shape, List<IDisposable> owned,
        Action<int, GenerationProgress>? progress, CancellationToken cancellation)
    {
        var p = Pipeline;
        int count = shape.Aggregate(1, (a, b) => checked(a * b));
        var textClock = Stopwatch.StartNew();
        var jobs = new DenoiseJob[requests.Count];
        for (int i = 0; i < requests.Count; i++)
        {
            var r = requests[i];
            var noise = r.Noise ?? NoiseGenerator.StandardNormal(r.Seed, count);
            var solver = FlowSolvers.Create(r.Solver, r.Steps, r.Shift, noiseSeed: FlowRenoisingSolver.SeedFor(r.Seed, 0));
            var experts = new ExpertSchedule(p.Index.BoundaryRatio, FlowSolvers.WanTrainTimesteps, r.GuidanceLow, r.GuidanceHigh);
            var context = Own(owned, p.EncodeText(p.Tokenize(r.Prompt)));
            cancellation.ThrowIfCancellationRequested();
            var negative = Own(owned, p.EncodeText(p.Tokenize(string.IsNullOrWhiteSpace(r.NegativePrompt) ? WanDefaults.NegativePrompt : r.NegativePrompt)));
            int index = i;
            jobs[i] = Own(owned, new DenoiseJob($"request {i}", context, negative, noise, shape, solver, experts,
                progress is null ? null : q => progress(index, q)));
        }
        var textTime = textClock.Elapsed;

        var denoiseClock = Stopwatch.StartNew();
        var batch = Own(owned, new BatchDenoiser(p, p.CheckNonFinite));
        foreach (var job in jobs)
        {
            batch.Admit(job);
        }
        batch.RunToEnd(cancellation);
        var denoiseTime = denoiseClock.Elapsed;

        var results = new GenerationResult[jobs.Length];
        for (int i = 0; i < jobs.Length; i++)
        {
            var decodeClock = Stopwatch.StartNew();
            var r = requests[i];
            int index = i;
            var raw = p.DecodeRaw(jobs[i].Latent, shape, progress is null ? null : q => progress(index, q), cancellation);
            var frames = VideoFrames.FromChannelsFirst(raw, r.Frames, r.Height, r.Width, r.Fps);
            results[i] = new GenerationResult(jobs[i].Latent, shape, frames, textTime, denoiseTime, decodeClock.Elapsed);
        }
        return results;
    }

    private static T Own<T>(List<IDisposable> owned, T item) where T : IDisposable
    {
        owned.Add(item);
        return item;
    }
}
