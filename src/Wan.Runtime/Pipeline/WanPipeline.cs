using System.Diagnostics;
using Wan.Runtime.Backends;
using Wan.Runtime.Config;
using Wan.Runtime.Engine;
using Wan.Runtime.Lora;
using Wan.Runtime.Models.Dit;
using Wan.Runtime.Models.Umt5;
using Wan.Runtime.Models.Vae;
using Wan.Runtime.Pipeline.Caching;
using Wan.Runtime.Pipeline.LongVideo;
using Wan.Runtime.Pipeline.Solvers;
using Wan.Runtime.Tensors;
using Wan.Runtime.Text;
using Wan.Runtime.Video;

namespace Wan.Runtime.Pipeline;

/// <summary>
/// Text to video with Wan: tokenizer → umT5 → denoising with classifier-free guidance and the
/// two-expert switch → VAE decode → 8-bit RGB frames. Loads a diffusers-layout model directory.
/// Each stage is public so that callers (and the golden tests) can run them on their own inputs.
/// </summary>
public sealed class WanPipeline : IDisposable
{
    private WanPipeline(PipelineBackends backends, ModelIndexConfig index, ModelGeometry geometry, Umt5Tokenizer tokenizer, Umt5Encoder textEncoder,
        WanTransformer highNoise, WanTransformer? lowNoise, WanVae vae)
    {
        Backends = backends;
        Index = index;
        Geometry = geometry;
        Tokenizer = tokenizer;
        TextEncoder = textEncoder;
        HighNoise = highNoise;
        LowNoise = lowNoise;
        Vae = vae;
        Loras = new LoraAdapters(highNoise, lowNoise);
    }

    /// <summary>The backend of each component.</summary>
    public PipelineBackends Backends { get; }

    /// <summary>model_index.json (the pipeline class, boundary_ratio).</summary>
    public ModelIndexConfig Index { get; }

    /// <summary>Latent channels, VAE strides, patch and RoPE reach, read from the model's configs at load.</summary>
    public ModelGeometry Geometry { get; }

    /// <summary>The umT5 SentencePiece tokenizer (<c>tokenizer/</c>).</summary>
    public Umt5Tokenizer Tokenizer { get; }

    /// <summary>The umT5 encoder (<c>text_encoder/</c>).</summary>
    public Umt5Encoder TextEncoder { get; }

    /// <summary><c>transformer</c>: the high-noise expert (or the only one).</summary>
    public WanTransformer HighNoise { get; }

    /// <summary><c>transformer_2</c>: the low-noise expert, null for single-expert models.</summary>
    public WanTransformer? LowNoise { get; }

    /// <summary>The Wan2.1 causal 3D VAE (<c>vae/</c>).</summary>
    public WanVae Vae { get; }

    /// <summary>
    /// The LoRA bindings of this model, cached per set: <see cref="Generate"/> resolves
    /// <see cref="GenerationRequest.Loras"/> here, so requests switch styles with no reload.
    /// </summary>
    public LoraAdapters Loras { get; }

    /// <summary>
    /// Which experts keep their weights on the DiT backend (<see cref="EngineOptions.ExpertResidency"/>): with
    /// <see cref="ExpertResidency.Active"/> <see cref="Denoise"/> releases every other expert's weights when an
    /// expert's first step begins, so the two are never resident together. Other paths (batches, long videos) load a
    /// released expert at its first use and release nothing.
    /// </summary>
    public ExpertResidency Residency { get; set; } = ExpertResidency.Both;

    /// <summary>
    /// When the DiT backend offers <see cref="IStepCapture"/>, capture each expert's step once and replay
    /// it (default); false runs the forwards directly (cancellation then also checked between blocks).
    /// </summary>
    public bool CaptureStepGraphs { get; set; } = true;

    /// <summary>
    /// Check both DiT predictions and the latent after every denoising step, and the decoded video,
    /// for NaN/Inf (default on): a non-finite value stops the generation with
    /// <see cref="NonFiniteLatentException"/> instead of decoding a black video. The predictions are
    /// counted on the DiT's backend when it offers <see cref="INonFiniteCheck"/> (one pass, one number
    /// back), else on the host.
    /// </summary>
    public bool CheckNonFinite { get; set; } = true;

    /// <summary>Loads every component of a diffusers-layout model directory onto its backend (WanEngine.Open calls this).</summary>
    /// <exception cref="Wan.Errors.ModelFileException">the directory is missing, a file, or has no model_index.json.</exception>
    /// <exception cref="Wan.Errors.ConfigException">a config is malformed, describes a model that cannot run, or disagrees with another.</exception>
    /// <exception cref="InvalidDataException">a weight file is corrupt or does not match its config.</exception>
    /// <exception cref="Wan.Errors.DeviceException"><see cref="ExpertResidency.Streamed"/> with a DiT backend that has no copy stream (not CUDA), before any file is read.</exception>
    internal static WanPipeline Load(PipelineBackends backends, string modelDirectory, ExpertResidency residency = ExpertResidency.Both)
    {
        if (residency == ExpertResidency.Streamed && backends.Dit is not Backends.Cuda.CudaBackend { Device: Wan.Kernels.Device.IUploadStream })
        {
            throw new Wan.Errors.DeviceException($"DiT: --experts-resident streamed needs a CUDA device (a copy stream to upload blocks on); the DiT runs on {backends.Dit.Name}");
        }
        // Every config is read and cross-checked before any weight: a model that cannot run is refused here.
        var geometry = ModelGeometry.Load(modelDirectory);
        var index = ModelIndexConfig.Load(modelDirectory);
        var owned = new List<IDisposable>();
        T Own<T>(T component) where T : IDisposable
        {
            owned.Add(component);
            return component;
        }
        try
        {
            var tokenizer = Umt5Tokenizer.Load(Path.Combine(modelDirectory, "tokenizer"));
            var textEncoder = Own(Umt5Encoder.Load(backends.Text, Path.Combine(modelDirectory, "text_encoder")));
            bool streamed = residency == ExpertResidency.Streamed;
            var high = Own(streamed ? WanTransformer.LoadStreamed(backends.Dit, Path.Combine(modelDirectory, "transformer"), null)
                : WanTransformer.Load(backends.Dit, Path.Combine(modelDirectory, "transformer")));
            if (residency == ExpertResidency.Active)
            {
                // Each expert was loaded in full (every weight checked) and leaves the device before the next one loads.
                high.ReleaseWeights();
            }
            var low = !index.HasSecondExpert ? null
                : Own(streamed ? WanTransformer.LoadStreamed(backends.Dit, Path.Combine(modelDirectory, "transformer_2"), high.Streamer) // one pair of block slots for both
                    : WanTransformer.Load(backends.Dit, Path.Combine(modelDirectory, "transformer_2")));
            if (residency == ExpertResidency.Active)
            {
                low?.ReleaseWeights();
            }
            var vae = Own(WanVae.Load(backends.Vae, Path.Combine(modelDirectory, "vae")));
            return new WanPipeline(backends, index, geometry, tokenizer, textEncoder, high, low, vae) { Residency = residency };
        }
        catch
        {
            owned.ForEach(d => d.Dispose());
            throw;
        }
    }

    /// <summary>Token ids of a prompt after the Wan cleaning (eos included, truncated to 512).</summary>
    public int[] Tokenize(string prompt) => Tokenizer.Encode(WanPromptCleaner.Clean(prompt)).Ids;

    /// <summary>The text context [L, text_dim] for token ids (T5 output of the valid tokens).</summary>
    public Tensor EncodeText(ReadOnlySpan<int> ids) => TextEncoder.Encode(ids);

    /// <summary>
    /// The denoising loop: for each step, the expert for the timestep predicts the flow for the
    /// prompt and for the negative prompt, v = uncond + g·(cond − uncond), and the solver steps.
    /// On a DiT backend with <see cref="IStepCapture"/> each expert's step is captured once and replayed.
    /// An expert whose guidance is 1 runs no unconditional forward (v = cond; <paramref name="negativeContext"/> may
    /// then be null); the solver may fix the expert switch itself (<see cref="IFlowSolver.ExpertBoundaryStep"/>).
    /// <paramref name="cache"/> enables step caching (direct forwards, no capture).
    /// Returns the final latent; <paramref name="progress"/> sees the latent after every step.
    /// <paramref name="adapters"/> (from <see cref="Loras"/>) applies a LoRA set per expert; null runs the base weights.
    /// With <paramref name="windows"/> (context windows, <see cref="ContextWindowPlan"/>) each step predicts
    /// every window on its own and blends the predictions (<see cref="GenerationStage.DenoisingWindow"/>
    /// is reported after each window when there are several); null means one window over the whole latent.
    /// <paramref name="attentionWindow"/> R limits the DiT's self-attention to latent frames [f − R, f + R] (null: full).
    /// </summary>
    /// <exception cref="NonFiniteLatentException">a prediction or the latent holds NaN/Inf after a step (when <see cref="CheckNonFinite"/>).</exception>
    /// <exception cref="OperationCanceledException">cancelled between steps (or blocks, without capture).</exception>
    /// <exception cref="ArgumentException">guidance other than 1 without a negative context, a noise length that does not fit the shape,
    /// or step caching combined with several context windows.</exception>
    public float[] Denoise(Tensor context, Tensor? negativeContext, float[] noise, int[] latentShape, IFlowSolver solver,
        ExpertSchedule experts, Action<GenerationProgress>? progress = null, CancellationToken cancellation = default, TeaCache? cache = null,
        ExpertAdapters? adapters = null, ContextWindowPlan? windows = null, int? attentionWindow = null)
    {
        var shape = new Shape(latentShape);
        if (noise.Length != shape.ElementCount)
        {
            throw new ArgumentException($"initial latent has {noise.Length} values, shape {shape} needs {shape.ElementCount}");
        }
        var plan = windows ?? ContextWindowPlan.Create(shape[1], shape[1], 0, WindowBlending.RaisedCosine, Geometry.TemporalStride);
        if (plan.LatentFrames != shape[1])
        {
            throw new ArgumentException($"the context-window plan covers {plan.LatentFrames} latent frames, the latent {shape} has {shape[1]}");
        }
        if (cache is not null && plan.Windows.Count > 1)
        {
            // A step cache compares each forward with the previous one: across windows it would reuse another window's residual.
            throw new ArgumentException($"step caching cannot be combined with {plan.Windows.Count} context windows yet: use a window covering the video or no step cache");
        }
        var windowShape = new Shape(shape[0], plan.Windows[0].Length, shape[2], shape[3]);
        var latent = (float[])noise.Clone();
        var steps = new Dictionary<WanTransformer, GuidedExpertStep>();
        var clock = Stopwatch.StartNew();
        try
        {
            for (int i = 0; i < solver.StepCount; i++)
            {
                cancellation.ThrowIfCancellationRequested();
                var stepClock = Stopwatch.StartNew();
                double t = solver.ModelTimesteps[i];
                bool high = IsHighNoiseStep(i);
                var dit = high || LowNoise is null ? HighNoise : LowNoise;
                // Streamed blocks: block 0 of the next step's expert (after the last step, the high-noise expert that
                // starts the next request) is prefetched during this step's last block.
                dit.StreamNext = i + 1 < solver.StepCount && !IsHighNoiseStep(i + 1) && LowNoise is not null ? LowNoise : HighNoise;
                var guidance = (float)(high ? experts.GuidanceHigh : experts.GuidanceLow);
                var expert = LowNoise is null ? "transformer" : high ? "transformer (high noise)" : "transformer_2 (low noise)";
                if (!steps.TryGetValue(dit, out var step))
                {
                    // The expert switch: the previous expert's step graph, buffers and text K/V are released before the
                    // next expert's are made, so the two are never resident together (timesteps only decrease, so it
                    // is not needed again; a schedule that did return would make it again).
                    foreach (var previous in steps.Values)
                    {
                        previous.Dispose();
                    }
                    steps.Clear();
                    if (Residency == ExpertResidency.Active)
                    {
                        foreach (var other in new[] { HighNoise, LowNoise }.Where(e => e is not null && e != dit))
                        {
                            other!.ReleaseWeights();
                        }
                    }
                    var negative = guidance == 1f ? null
                        : negativeContext ?? throw new ArgumentException($"guidance {guidance} needs a negative context", nameof(negativeContext));
                    step = new GuidedExpertStep(dit, context, negative, windowShape, CaptureStepGraphs, CheckNonFinite, cache, adapters?.For(dit), attentionWindow);
                    steps.Add(dit, step);
                }
                cache?.BeginStep(i, solver.StepCount);
                int stepNumber = i + 1;
                long timestep = solver.Timesteps[i];
                Action<int>? windowDone = progress is null || plan.Windows.Count == 1 ? null : done => progress(new GenerationProgress(
                    GenerationStage.DenoisingWindow, stepNumber, solver.StepCount, expert, timestep, clock.Elapsed, stepClock.Elapsed, default)
                    { Window = done, WindowCount = plan.Windows.Count });
                var (v, nonFinite) = WindowedVelocity.Compute(step, plan, latent, shape, t, guidance, windowDone, cancellation);
                if (nonFinite > 0)
                {
                    throw NonFiniteLatentException.Denoising(i + 1, solver.StepCount, expert, solver.Timesteps[i], "the DiT prediction", nonFinite, dit.Backend.Storage, dit.Backend.Name);
                }
                solver.Step(v, i, latent);
                if (CheckNonFinite && HostMath.CountNonFinite(latent) is > 0 and var inLatent)
                {
                    throw NonFiniteLatentException.Denoising(i + 1, solver.StepCount, expert, solver.Timesteps[i], "the latent after the solver update", inLatent, DType.F32, "the host");
                }
                progress?.Invoke(new GenerationProgress(GenerationStage.Denoising, i + 1, solver.StepCount, expert,
                    solver.Timesteps[i], clock.Elapsed, stepClock.Elapsed, latent));
            }
            return latent;
        }
        finally
        {
            foreach (var step in steps.Values)
            {
                step.Dispose();
            }
        }

        bool IsHighNoiseStep(int step) => solver.ExpertBoundaryStep is { } boundary
            ? experts.BoundaryRatio is not null && step < boundary
            : experts.IsHighNoise(solver.ModelTimesteps[step]);
    }

    /// <summary>
    /// Chunked (autoregressive) denoising with the rolling K/V cache (<see cref="ChunkSchedule"/>): the latent
    /// [C, F, H, W] is generated <see cref="ChunkSchedule.ChunkFrames"/> latent frames at a time, each chunk starting from its
    /// slice of <paramref name="noise"/> and running the whole schedule of a fresh solver from <paramref name="newSolver"/> (given the chunk's index),
    /// its queries attending to itself and to the cached K/V of earlier chunks; a finished chunk is re-run once at the
    /// context timestep to store its K/V (Self-Forcing's pipeline/causal_inference.py). Each (expert, guidance branch) pair
    /// keeps its own cache. Progress: <see cref="GenerationStage.Denoising"/> after every step (Step counted over all
    /// chunks, Latent the chunk's) and <see cref="GenerationStage.DenoisingChunk"/> after every chunk. The forwards run
    /// directly (no captured graphs).
    /// </summary>
    /// <exception cref="NonFiniteLatentException">a prediction or the chunk's latent holds NaN/Inf (when <see cref="CheckNonFinite"/>).</exception>
    /// <exception cref="OperationCanceledException">cancelled between steps or chunks (or blocks).</exception>
    /// <exception cref="ArgumentException">guidance other than 1 without a negative context, a noise length that does not fit the shape, or a bad schedule.</exception>
    public float[] DenoiseChunked(Tensor context, Tensor? negativeContext, float[] noise, int[] latentShape, Func<int, IFlowSolver> newSolver,
        ExpertSchedule experts, ChunkSchedule schedule, Action<GenerationProgress>? progress = null, CancellationToken cancellation = default,
        ExpertAdapters? adapters = null)
    {
        var shape = new Shape(latentShape);
        if (noise.Length != shape.ElementCount)
        {
            throw new ArgumentException($"initial latent has {noise.Length} values, shape {shape} needs {shape.ElementCount}");
        }
        return ChunkedDenoiser.Denoise(HighNoise, LowNoise, context, negativeContext, noise, shape, newSolver, experts, schedule, CheckNonFinite,
            progress, cancellation, adapters);
    }

    /// <summary>VAE decode of a latent [16, F, H, W] → video [3, 1+4(F−1), 8H, 8W] before the clamp.</summary>
    /// <exception cref="NonFiniteLatentException">the decoded video holds NaN/Inf (when <see cref="CheckNonFinite"/>).</exception>
    public float[] DecodeRaw(float[] latent, int[] latentShape, Action<GenerationProgress>? progress = null,
        CancellationToken cancellation = default)
    {
        var clock = Stopwatch.StartNew();
        using var z = Backends.Vae.FromHost(latent, new Shape(latentShape));
        using var columns = (Backends.Vae as IConvWorkspace)?.ShareConvColumns();
        using var video = Vae.Decode(z, (done, total) => progress?.Invoke(new GenerationProgress(
            GenerationStage.Decoding, done, total, null, 0, clock.Elapsed, clock.Elapsed, default)), cancellation);
        var vae = Backends.Vae;
        long nonFinite = !CheckNonFinite ? 0 : vae is INonFiniteCheck check ? check.CountNonFinite(video) : -1;
        var frames = vae.ToHost(video);
        if (nonFinite < 0)
        {
            nonFinite = HostMath.CountNonFinite(frames);
        }
        if (nonFinite > 0)
        {
            throw NonFiniteLatentException.Decoding(nonFinite, vae.Storage, vae.Name);
        }
        return frames;
    }

    /// <summary>
    /// VAE decode into 8-bit frames held in memory: <see cref="DecodeInto"/>
    /// into a <see cref="MemoryVideoSink"/>. Same bytes as clamping <see cref="DecodeRaw"/>.
    /// </summary>
    /// <exception cref="NonFiniteLatentException">the decoded video holds NaN/Inf (when <see cref="CheckNonFinite"/>).</exception>
    /// <exception cref="OperationCanceledException">cancelled between latent frames.</exception>
    public VideoFrames DecodeVideo(float[] latent, int[] latentShape, int fps, Action<GenerationProgress>? progress = null,
        CancellationToken cancellation = default)
    {
        using var sink = new MemoryVideoSink();
        DecodeInto(latent, latentShape, fps, sink, progress, cancellation);
        sink.Complete();
        return sink.Video;
    }

    /// <summary>
    /// VAE decode streamed into a sink: each latent frame's video frames [3, n, H, W] are converted to 8-bit RGB
    /// [n, H, W, 3] and handed to <paramref name="sink"/> as soon as they are decoded, so the host holds one chunk
    /// (its floats and its bytes) and the VAE's causal cache, whatever the length. Begins the sink; the caller completes
    /// it (or disposes it: after a NaN/Inf or a cancellation nothing must be kept). After the first chunk holding
    /// NaN/Inf nothing more is written, but decoding goes on so the error counts every non-finite value.
    /// </summary>
    /// <param name="latent">the latent [16, F, H/8, W/8] (host).</param>
    /// <param name="latentShape">its shape.</param>
    /// <param name="fps">frames per second of the video.</param>
    /// <param name="sink">a sink that has not begun; it receives 1 + 4(F − 1) frames of H × W.</param>
    /// <param name="progress">called after each latent frame.</param>
    /// <param name="cancellation">checked between latent frames.</param>
    /// <exception cref="NonFiniteLatentException">the decoded video holds NaN/Inf (when <see cref="CheckNonFinite"/>).</exception>
    /// <exception cref="OperationCanceledException">cancelled between latent frames.</exception>
    /// <exception cref="IOException">the sink failed to write.</exception>
    public void DecodeInto(float[] latent, int[] latentShape, int fps, IVideoSink sink, Action<GenerationProgress>? progress = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(sink);
        var clock = Stopwatch.StartNew();
        var vae = Backends.Vae;
        using var z = vae.FromHost(latent, new Shape(latentShape));
        int frames = Vae.VideoFrames(latentShape[1]), latentFramesDone = 0;
        byte[] rgb = [];
        long nonFinite = 0;
        bool begun = false;
        // One im2col buffer for the whole decode's convolutions (never above the peak of one per convolution).
        using var columns = (vae as IConvWorkspace)?.ShareConvColumns();
        foreach (var chunk in Vae.DecodeChunks(z))
        {
            using (chunk)
            {
                cancellation.ThrowIfCancellationRequested();
                progress?.Invoke(new GenerationProgress(GenerationStage.Decoding, ++latentFramesDone, latentShape[1], null, 0, clock.Elapsed, clock.Elapsed, default));
                var values = vae.ToHost(chunk);
                if (CheckNonFinite)
                {
                    nonFinite += vae is INonFiniteCheck check ? check.CountNonFinite(chunk) : HostMath.CountNonFinite(values);
                }
                if (nonFinite > 0)
                {
                    continue;
                }
                if (!begun)
                {
                    sink.Begin(new VideoFormat(frames, chunk.Shape[2], chunk.Shape[3], fps));
                    begun = true;
                }
                if (rgb.Length != values.Length)
                {
                    rgb = new byte[values.Length];
                }
                VideoFrames.ToRgb(values, rgb);
                sink.WriteFrames(rgb, cancellation);
            }
        }
        if (nonFinite > 0)
        {
            throw NonFiniteLatentException.Decoding(nonFinite, vae.Storage, vae.Name);
        }
    }

    /// <summary>The whole text-to-video job: tokenize, encode both prompts, denoise, decode into memory.</summary>
    /// <exception cref="ArgumentException">the request is invalid (size, frames, steps, solver, noise length).</exception>
    /// <exception cref="NonFiniteLatentException">NaN/Inf appeared (when <see cref="CheckNonFinite"/>).</exception>
    /// <exception cref="OperationCanceledException">cancelled.</exception>
    public GenerationResult Generate(GenerationRequest request, Action<GenerationProgress>? progress = null,
        CancellationToken cancellation = default)
    {
        using var sink = new MemoryVideoSink();
        var streamed = GenerateInto(request, sink, progress, cancellation);
        sink.Complete();
        return new GenerationResult(streamed.Latent, streamed.LatentShape, sink.Video, streamed.TextEncoding, streamed.Denoising, streamed.Decoding)
        {
            StepCache = streamed.StepCache,
        };
    }

    /// <summary>
    /// The whole text-to-video job with the video streamed into <paramref name="sink"/> as it is decoded (see
    /// <see cref="DecodeInto"/>): host
    /// memory for the video is one decode chunk plus the sink's buffers. The caller completes the sink.
    /// </summary>
    /// <exception cref="ArgumentException">the request is invalid (size, frames, steps, solver, noise length).</exception>
    /// <exception cref="NonFiniteLatentException">NaN/Inf appeared (when <see cref="CheckNonFinite"/>).</exception>
    /// <exception cref="OperationCanceledException">cancelled.</exception>
    /// <exception cref="IOException">the sink failed to write.</exception>
    public StreamedGenerationResult GenerateInto(GenerationRequest request, IVideoSink sink, Action<GenerationProgress>? progress = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(sink);
        var latentShape = request.LatentShape(Geometry);
        // A decode budget too small for this size fails now, not after the denoising.
        Vae.TilingFor(latentShape[1], latentShape[2], latentShape[3]);
        // LatentShape bounds the product by one buffer; checked 64-bit arithmetic keeps that true if it ever changes.
        var count = checked((int)latentShape.Aggregate(1L, (a, b) => checked(a * b)));
        var noise = request.Noise ?? NoiseGenerator.StandardNormal(request.Seed, count);
        var solver = FlowSolvers.Create(request.Solver, request.Steps, request.Shift, noiseSeed: FlowRenoisingSolver.SeedFor(request.Seed, 0));
        var experts = new ExpertSchedule(Index.BoundaryRatio, FlowSolvers.WanTrainTimesteps, request.GuidanceLow, request.GuidanceHigh);
        using var lease = request.Loras is { IsEmpty: false } loras ? Loras.Acquire(loras, request.LoraMode) : null;
        var cache = request.CacheThreshold is { } threshold ? new TeaCache(threshold, TeaCacheCoefficients.ForDim(HighNoise.Config.Dim)) : null;

        var clock = Stopwatch.StartNew();
        var negative = string.IsNullOrWhiteSpace(request.NegativePrompt) ? WanDefaults.NegativePrompt : request.NegativePrompt;
        using var context = EncodeText(Tokenize(request.Prompt));
        cancellation.ThrowIfCancellationRequested();
        bool guided = request.GuidanceLow != 1 || request.GuidanceHigh != 1;
        using var negativeContext = guided ? EncodeText(Tokenize(negative)) : null;
        var textTime = clock.Elapsed;
        progress?.Invoke(new GenerationProgress(GenerationStage.EncodingText, 0, request.Steps, null, 0, clock.Elapsed, textTime, default));

        var latent = request.Chunks(Geometry) is { } chunks
            ? DenoiseChunked(context, negativeContext, noise, latentShape, chunk => FlowSolvers.Create(request.Solver, request.Steps, request.Shift,
                noiseSeed: FlowRenoisingSolver.SeedFor(request.Seed, chunk)), experts,
                chunks, progress, cancellation, lease?.Adapters)
            : Denoise(context, negativeContext, noise, latentShape, solver, experts, progress, cancellation, cache, lease?.Adapters,
                request.ContextWindows(Geometry), request.AttentionWindow);
        var denoiseTime = clock.Elapsed - textTime;

        var decodeClock = Stopwatch.StartNew();
        DecodeInto(latent, latentShape, request.Fps, sink, progress, cancellation);
        return new StreamedGenerationResult(latent, latentShape, textTime, denoiseTime, decodeClock.Elapsed) { StepCache = cache?.Statistics };
    }

    /// <summary>Frees the tensors this object owns on its backend.</summary>
    public void Dispose()
    {
        Loras.Dispose();
        TextEncoder.Dispose();
        HighNoise.Dispose();
        LowNoise?.Dispose();
        Vae.Dispose();
    }
}
