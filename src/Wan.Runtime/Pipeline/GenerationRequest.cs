using Wan.Errors;
using Wan.Runtime.Config;
using Wan.Runtime.Pipeline.LongVideo;
using Wan.Runtime.Pipeline.Solvers;

namespace Wan.Runtime.Pipeline;

/// <summary>
/// What to generate. Defaults are the original T2V-A14B sampling settings (Wan2.2 <c>wan/configs/t2v_A14B.py</c>),
/// except the size, which a caller should always choose. <see cref="Shift"/> defaults to the original 12.0,
/// not the 3.0 that diffusers' converted scheduler config carries. <see cref="Validate"/> and
/// <see cref="LatentShape"/> refuse, before anything is loaded or computed, every request that cannot run,
/// with a <see cref="RequestException"/> naming the setting (in command-line spelling) and the limit.
/// </summary>
public sealed record GenerationRequest
{
    /// <summary>The most values one host buffer (a .NET array) holds: the latent and the decoded video are one buffer each.</summary>
    public static readonly long MaxBufferValues = Array.MaxLength;

    /// <summary>What the video shows.</summary>
    public required string Prompt { get; init; }

    /// <summary>Empty means the model family's default negative prompt (<see cref="WanDefaults.NegativePrompt"/>).</summary>
    public string NegativePrompt { get; init; } = "";

    /// <summary>Video frames: 1 + k × the VAE's temporal stride (4k+1 for Wan).</summary>
    public int Frames { get; init; } = WanDefaults.Frames;

    /// <summary>Video height in pixels: a multiple of the VAE stride × DiT patch (16 for Wan).</summary>
    public int Height { get; init; } = WanDefaults.Height;

    /// <summary>Video width in pixels: a multiple of the VAE stride × DiT patch (16 for Wan).</summary>
    public int Width { get; init; } = WanDefaults.Width;

    /// <summary>Denoising steps, 1 to <see cref="FlowSolvers.WanTrainTimesteps"/>.</summary>
    public int Steps { get; init; } = FlowSolvers.T2VA14BSteps;

    /// <summary>Seed of the initial noise (<see cref="NoiseGenerator"/>).</summary>
    public long Seed { get; init; }

    /// <summary>Guidance scale of the low-noise expert (finite).</summary>
    public double GuidanceLow { get; init; } = WanDefaults.GuidanceLow;

    /// <summary>Guidance scale of the high-noise expert (finite).</summary>
    public double GuidanceHigh { get; init; } = WanDefaults.GuidanceHigh;

    /// <summary>Sigma shift of the flow schedule, finite and positive.</summary>
    public double Shift { get; init; } = FlowSolvers.T2VA14BShift;

    /// <summary>"unipc" (default), "dpm++", "euler" or "step-distill" (4 steps; see <see cref="Solvers.SamplingPreset.Lightning"/>).</summary>
    public string Solver { get; init; } = "unipc";

    /// <summary>
    /// TeaCache step-caching threshold (<see cref="Caching.TeaCache"/>): null = no caching; 0 = the cache runs but never
    /// skips; larger skips more DiT forwards (TeaCache's Wan2.1-14B examples: 0.14, 0.2).
    /// </summary>
    public double? CacheThreshold { get; init; }

    /// <summary>Initial latent [C, F, H, W] (see <see cref="LatentShape"/>) to use instead of the seeded noise.</summary>
    public float[]? Noise { get; init; }

    /// <summary>Frames per second of the output, at least 1.</summary>
    public int Fps { get; init; } = WanDefaults.Fps;

    /// <summary>LoRAs applied to this request (per expert, stacked); null or empty: the base model.</summary>
    public Lora.LoraSet? Loras { get; init; }

    /// <summary>How <see cref="Loras"/> is applied (<see cref="Lora.LoraMode.Auto"/>: the rule of <see cref="Lora.LoraAdapters"/>).</summary>
    public Lora.LoraMode LoraMode { get; init; } = Lora.LoraMode.Auto;

    /// <summary>
    /// Context-window length in video frames (1 + k × the VAE's temporal stride; default 81 = 21 latent frames):
    /// a longer video is denoised in overlapping windows of this length (<see cref="ContextWindowPlan"/>); a
    /// window at least as long as the video gives the single-pass result exactly.
    /// </summary>
    public int WindowFrames { get; init; } = WanDefaults.Frames;

    /// <summary>Overlap of neighbouring context windows in video frames (same form; default 29 = 8 latent frames), shorter than the window.</summary>
    public int OverlapFrames { get; init; } = WanDefaults.OverlapFrames;

    /// <summary>How window predictions are mixed in the overlaps (default raised cosine; see docs/long-video.md).</summary>
    public WindowBlending Blending { get; init; } = WindowBlending.RaisedCosine;

    /// <summary>
    /// Sliding-window self-attention radius R in latent frames: a query of latent frame f attends only to
    /// frames [f − R, f + R] (<see cref="Backends.AttentionFrameWindow"/>); null (default) = full attention.
    /// </summary>
    public int? AttentionWindow { get; init; }

    /// <summary>
    /// Chunked (autoregressive) generation: latent frames per chunk (<see cref="ChunkSchedule"/>); null (default) denoises
    /// the whole latent (or its context windows) at every step.
    /// </summary>
    public int? ChunkFrames { get; init; }

    /// <summary>Earlier latent frames the K/V cache of a chunked generation keeps (null: all of them).</summary>
    public int? KvFrames { get; init; }

    /// <summary>First latent frames the K/V cache of a chunked generation never evicts (default 0).</summary>
    public int SinkFrames { get; init; }

    /// <summary>
    /// Checks every setting that needs no model: sizes positive, steps 1..1000 (4 for the step-distill sampler),
    /// shift positive, guidance finite, solver known, cache threshold ≥ 0, fps positive.
    /// </summary>
    /// <exception cref="RequestException">a setting is out of range (names it and its value).</exception>
    public void Validate()
    {
        Require(Frames >= 1, "frames", Frames, "must be at least 1");
        Require(Height >= 1, "height", Height, "must be a positive number of pixels");
        Require(Width >= 1, "width", Width, "must be a positive number of pixels");
        // More steps than training timesteps only repeats timesteps (and a huge count exhausts memory).
        Require(Steps is >= 1 and <= FlowSolvers.WanTrainTimesteps, "steps", Steps, $"must be 1 to {FlowSolvers.WanTrainTimesteps} (the training timesteps)");
        Require(double.IsFinite(Shift) && Shift > 0, "shift", Shift, "must be a positive number");
        Require(double.IsFinite(GuidanceLow) && double.IsFinite(GuidanceHigh), "guidance", $"{GuidanceLow},{GuidanceHigh}", "must be finite numbers");
        Require(FlowSolvers.Names.Contains(Solver), "solver", Solver, $"is unknown; expected one of {string.Join(", ", FlowSolvers.Names)}");
        Require(FlowSolvers.StepCountProblem(Solver, Steps) is null, "steps", Steps, FlowSolvers.StepCountProblem(Solver, Steps) ?? "");
        Require(Fps >= 1, "fps", Fps, "must be at least 1 frame per second");
        Require(CacheThreshold is not { } threshold || (double.IsFinite(threshold) && threshold >= 0), "cache", CacheThreshold ?? 0, "must be a finite number >= 0");
        Require(Prompt is not null, "prompt", "", "is required");
        // The solver refuses other step counts only when it is built, after the model has loaded.
        Require(Solver != FlowSolvers.StepDistill || Steps == FlowStepDistillSolver.Wan22DenoisingSteps.Count, "steps", Steps,
            $"the {FlowSolvers.StepDistill} sampler takes the {FlowStepDistillSolver.Wan22DenoisingSteps.Count} steps of its step list " +
            $"[{string.Join(", ", FlowStepDistillSolver.Wan22DenoisingSteps)}]; got {Steps} steps");
        Require(WindowFrames >= 1, "window", WindowFrames, "must be at least 1 video frame");
        Require(OverlapFrames >= 0 && OverlapFrames < WindowFrames, "overlap", OverlapFrames, $"must be at least 0 and shorter than the window ({WindowFrames} frames)");
        Require(AttentionWindow is null or >= 0, "attention-window", AttentionWindow ?? 0, "must be at least 0 latent frames");
        ValidateChunks();
    }

    private void ValidateChunks()
    {
        Require(ChunkFrames is null or >= 1, "chunk-frames", ChunkFrames ?? 0, "must be at least 1 latent frame");
        Require(ChunkFrames is not null || (KvFrames is null && SinkFrames == 0), KvFrames is null ? "sink-frames" : "kv-frames",
            KvFrames ?? SinkFrames, "needs --chunk-frames (the K/V cache belongs to chunked generation)");
        Require(KvFrames is null or >= 1, "kv-frames", KvFrames ?? 0, "must be at least 1 latent frame");
        Require(SinkFrames >= 0 && SinkFrames < (KvFrames ?? int.MaxValue), "sink-frames", SinkFrames, $"must be at least 0 and fewer than --kv-frames ({KvFrames})");
        Require(ChunkFrames is null || AttentionWindow is null, "attention-window", AttentionWindow ?? 0, "cannot be combined with --chunk-frames (the K/V cache sets what a chunk sees)");
        Require(ChunkFrames is null || CacheThreshold is null, "cache", CacheThreshold ?? 0, "cannot be combined with --chunk-frames yet");
    }

    /// <summary>
    /// The chunk schedule of a chunked generation on a model (null when <see cref="ChunkFrames"/> is not set): every
    /// earlier frame cached unless <see cref="KvFrames"/> says fewer. Chunked generation replaces context windows (the window settings are not used).
    /// </summary>
    /// <exception cref="RequestException">the request cannot run chunked on this model (names the setting).</exception>
    public ChunkSchedule? Chunks(ModelGeometry geometry)
    {
        if (ChunkFrames is not { } chunk)
        {
            return null;
        }
        int latentFrames = LatentShape(geometry)[1];
        Require(chunk <= latentFrames, "chunk-frames", chunk, $"must be at most the video's {latentFrames} latent frames");
        return new ChunkSchedule(chunk, KvFrames ?? Math.Max(latentFrames, SinkFrames + 1), SinkFrames);
    }

    /// <summary>
    /// The context windows of this request's latent on a model: window and overlap in video frames become
    /// 1 + (frames − 1)/stride_t latent frames (<see cref="ContextWindowPlan"/>).
    /// </summary>
    /// <exception cref="RequestException">the request, its window or its overlap cannot run on this model, or step caching
    /// (<see cref="CacheThreshold"/>) meets several windows (names the setting).</exception>
    public ContextWindowPlan ContextWindows(ModelGeometry geometry)
    {
        int latentFrames = LatentShape(geometry)[1];
        int ts = geometry.TemporalStride;
        Require((WindowFrames - 1) % ts == 0, "window", WindowFrames, $"must be {ts}k+1 video frames (1, {1 + ts}, ..., {1 + 20 * ts})");
        Require((OverlapFrames - 1) % ts == 0, "overlap", OverlapFrames, $"must be {ts}k+1 video frames (1, {1 + ts}, ..., {1 + 20 * ts})");
        var plan = ContextWindowPlan.FromVideoFrames(latentFrames, WindowFrames, OverlapFrames, Blending, ts);
        // A step cache compares each forward with the previous one: across windows it would reuse another window's residual.
        Require(CacheThreshold is null || ChunkFrames is not null || plan.Windows.Count == 1, "cache", CacheThreshold ?? 0,
            $"cannot be combined with {plan.Windows.Count} context windows yet: use a --window covering the {Frames} frames or no step cache");
        return plan;
    }

    /// <summary>
    /// The latent shape [C, 1 + (frames − 1)/stride_t, H/stride_s, W/stride_s] of this request on a model,
    /// after <see cref="Validate"/> and the checks the model's geometry implies: frames and size fit the
    /// strides and patch, each axis fits the RoPE table, and the latent and the decoded video
    /// [3, frames, H, W] each fit one host buffer (sizes in checked 64-bit arithmetic).
    /// </summary>
    /// <param name="geometry">the model's geometry (<see cref="ModelGeometry.Load"/>).</param>
    /// <exception cref="RequestException">the request cannot run on this model (names the settings and the limit).</exception>
    public int[] LatentShape(ModelGeometry geometry)
    {
        Validate();
        int ts = geometry.TemporalStride;
        Require((Frames - 1) % ts == 0, "frames", Frames, $"must be {ts}k+1 (1, {1 + ts}, {1 + 2 * ts}, ..., {1 + 20 * ts}) for this model's VAE");
        int latentFrames = 1 + (Frames - 1) / ts;
        Require(latentFrames % geometry.Patch.T == 0, "frames", Frames, $"gives {latentFrames} latent frames, not a multiple of the DiT's temporal patch {geometry.Patch.T}");
        Require(Height % geometry.HeightMultiple == 0, "height", Height, $"must be a multiple of {geometry.HeightMultiple} (and width too: multiples of 16 for Wan)");
        Require(Width % geometry.WidthMultiple == 0, "width", Width, $"must be a multiple of {geometry.WidthMultiple} (and height too: multiples of 16 for Wan)");
        int lh = Height / geometry.SpatialStride, lw = Width / geometry.SpatialStride;
        long maxPositions = geometry.RopeMaxPositions;
        RequireRope("frames", Frames, latentFrames / geometry.Patch.T, $"{Sizes.Group(1 + ts * (geometry.Patch.T * maxPositions - 1))} frames", geometry);
        RequireRope("height", Height, lh / geometry.Patch.H, $"{Sizes.Group(geometry.HeightMultiple * maxPositions)} pixels", geometry);
        RequireRope("width", Width, lw / geometry.Patch.W, $"{Sizes.Group(geometry.WidthMultiple * maxPositions)} pixels", geometry);
        var size = Size();
        long[] latent = [geometry.LatentChannels, latentFrames, lh, lw];
        if (Sizes.Product(latent) is not { } latentValues || latentValues > MaxBufferValues)
        {
            throw new RequestException(size, $"the latent [{string.Join(", ", latent)}] needs {Sizes.Describe(latent)} values; one buffer holds at most {MaxBufferValues:N0}");
        }
        long[] video = [3, Frames, Height, Width];
        if (Sizes.Product(video) is not { } videoValues || videoValues > MaxBufferValues)
        {
            throw new RequestException(size, $"the decoded video [3, frames, height, width] needs {Sizes.Describe(video)} values; one buffer holds at most {MaxBufferValues:N0}");
        }
        if (Noise is not null && Noise.Length != latentValues)
        {
            throw new RequestException("noise", $"[{Noise.Length} values]", $"the latent [{string.Join(", ", latent)}] needs {latentValues:N0} values");
        }
        return [geometry.LatentChannels, latentFrames, lh, lw];
    }

    /// <summary>
    /// Bytes of host memory decoding holds for the video (see <see cref="WanPipeline.DecodeInto"/>): one decode chunk of
    /// <see cref="ModelGeometry.TemporalStride"/> frames [3, n, H, W] as floats twice (the VAE's output tensor and its
    /// host copy, both in host memory when the VAE runs on the CPU) and as 8-bit RGB, plus the writer's buffers (at most
    /// two frames: PNG's compression scratch may double past one); when <paramref name="holdsWholeVideo"/>, also every
    /// 8-bit frame [F, H, W, 3] (a caller of <see cref="WanPipeline.Generate"/>, a seam report, a server job).
    /// The VAE's own activations and causal cache are its backend's memory and are not counted.
    /// Valid after <see cref="LatentShape"/> accepted the request (the products then fit 64 bits).
    /// </summary>
    /// <param name="geometry">the model's geometry (its VAE's temporal stride sets the chunk).</param>
    /// <param name="holdsWholeVideo">whether the caller keeps the whole video in memory rather than streaming it to a sink.</param>
    public long DecodedVideoBytes(ModelGeometry geometry, bool holdsWholeVideo)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        long frame = checked(3L * Height * Width);
        long chunkFrames = Math.Min(Frames, Math.Max(1, geometry.TemporalStride));
        long bytes = checked(chunkFrames * frame * (2 * sizeof(float) + 1) + 2 * frame);
        return holdsWholeVideo ? checked(bytes + Frames * frame) : bytes;
    }

    /// <summary>Refuses a request whose decoding needs more host memory than is available (<see cref="DecodedVideoBytes"/>).</summary>
    /// <param name="availableBytes">host memory the process may use (e.g. <see cref="GCMemoryInfo.TotalAvailableMemoryBytes"/>).</param>
    /// <param name="geometry">the model's geometry.</param>
    /// <param name="holdsWholeVideo">whether the caller keeps the whole video in memory rather than streaming it to a sink.</param>
    /// <exception cref="MemoryExhaustedException">decoding needs more than <paramref name="availableBytes"/>.</exception>
    public void CheckHostMemory(long availableBytes, ModelGeometry geometry, bool holdsWholeVideo)
    {
        long bytes = DecodedVideoBytes(geometry, holdsWholeVideo);
        if (bytes > availableBytes)
        {
            var held = holdsWholeVideo ? "a decode chunk and the whole 8-bit video" : "a decode chunk";
            throw new MemoryExhaustedException("decoding", "host", bytes,
                $"{held} of {Frames} frames of {Width}x{Height}; {MemoryExhaustedException.FormatBytes(availableBytes)} is available: use fewer frames or a smaller size");
        }
    }

    private KeyValuePair<string, string>[] Size() =>
        [new("frames", Text(Frames)), new("height", Text(Height)), new("width", Text(Width))];

    private static void RequireRope(string setting, int value, int patches, string limit, ModelGeometry geometry)
    {
        if (patches > geometry.RopeMaxPositions)
        {
            throw new RequestException(setting, value,
                $"gives {patches} patches along {setting}; this model's RoPE table covers {geometry.RopeMaxPositions} (rope_max_seq_len): at most {limit}");
        }
    }

    private static void Require(bool condition, string setting, object value, string problem)
    {
        if (!condition)
        {
            throw new RequestException(setting, value, problem);
        }
    }

    private static string Text(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
