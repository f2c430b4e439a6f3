using Wan.Runtime.Pipeline;
using Wan.Runtime.Video;

namespace Wan.Runtime.Engine;

/// <summary>
/// The one way to run Wan: <see cref="Open"/> detects the GPU, creates the backends, routes every
/// component to a backend with its op family (checked before any weight is read), loads the model
/// and returns a warm engine; <see cref="Generate"/> then turns requests into videos. The CLI, the
/// benchmarks and the tests build their pipelines through it.
/// </summary>
/// <remarks>
/// <para>Thread safety. <see cref="Generate"/> may be called from any number of threads: the calls
/// are serialized (one generation runs at a time on the engine's backends; the others wait, and a
/// waiting call honours its cancellation token). Everything a request computes is its own: the
/// text contexts, the latent and the solver's history, the captured step graphs (made at a request's
/// first step of each expert and freed at its end), the non-finite checks. What requests share is
/// read-only (the weights, the tokenizer) or guarded: the DiT's RoPE-table cache is locked and its
/// tables are reference-counted, so captured work keeps its table alive whatever resolution a later
/// request asks for. <see cref="Placement"/>, <see cref="Options"/> and <see cref="DeviceNote"/> are
/// immutable. The stages of <see cref="Pipeline"/> (Tokenize, EncodeText, Denoise, DecodeRaw) bypass
/// the serialization: call them from one thread and not while a <see cref="Generate"/> runs.
/// <see cref="Dispose"/> waits for a running generation to finish.</para>
/// </remarks>
public sealed partial class WanEngine : IDisposable
{
    private readonly EngineBackends _backends;
    private readonly SemaphoreSlim _generation = new(1, 1);
    private int _disposed;

    private WanEngine(EngineOptions options, EngineBackends backends, WanPipeline pipeline)
    {
        Options = options;
        _backends = backends;
        Pipeline = pipeline;
    }

    /// <summary>The options the engine was opened with.</summary>
    public EngineOptions Options { get; }

    /// <summary>Where each component runs (text encoder, DiT, VAE), for display: see <see cref="EngineOptions"/> for the rule.</summary>
    public IReadOnlyList<ComponentPlacement> Placement => _backends.Placement;

    /// <summary>Why <see cref="EngineDevice.Auto"/> chose the CPU (no GPU, driver or NVRTC missing), or null.</summary>
    public string? DeviceNote => _backends.Note;

    /// <summary>
    /// Device memory in use now: bytes of live buffers the engine's GPU (or emulated GPU) backend holds — weights, cached
    /// graphs and the running request's activations — from the device's own accounting; 0 on the CPU backend.
    /// </summary>
    public long DeviceBytesAllocated => _backends.DeviceBytesAllocated;

    /// <summary>Which device <see cref="DeviceBytesAllocated"/> counts: "cuda", "cuda-emulated", or "cpu" when the engine has no GPU backend.</summary>
    public string MemoryDevice => _backends.MemoryDevice;

    /// <summary>The loaded pipeline: its stages, for callers (and golden tests) that run them on their own inputs.</summary>
    public WanPipeline Pipeline { get; }

    /// <summary>
    /// Opens a diffusers-layout model directory (<c>model_index.json</c>, <c>transformer/</c>, ...): routes
    /// the components, then loads them (weights memory-mapped on the CPU, uploaded on CUDA).
    /// </summary>
    /// <param name="modelDirectory">the model folder.</param>
    /// <param name="options">device, precision, routing overrides; null for the defaults.</param>
    /// <exception cref="Wan.Errors.DeviceException">a component would run on a device without its op family: a routing override names one ("text encoder: device cuda-emulated has no text-encoder ops"), or a named Device does for a component without an override ("VAE: device cuda has no VAE ops; route the VAE to another device explicitly …"); or a native library (OpenBLAS, the CUDA driver, NVRTC, the emulator) is missing.</exception>
    /// <exception cref="ArgumentException">the precision is not bf16/fp16/fp32; VaeTiling and VaeMemoryBytes are both set, or the budget is below 1; ExpertResidency or a device is no defined value.</exception>
    /// <exception cref="Wan.Errors.ModelFileException">the model folder is missing, a file, or has no model_index.json.</exception>
    /// <exception cref="Wan.Errors.ConfigException">a config is malformed, describes a model that cannot run here, or disagrees with another (names the file and key).</exception>
    /// <exception cref="DirectoryNotFoundException">a component folder is missing.</exception>
    /// <exception cref="InvalidDataException">a weight file is corrupt or does not match its config.</exception>
    /// <exception cref="Wan.Kernels.Interop.NoCudaDeviceException">the CUDA device was asked for and there is none.</exception>
    public static WanEngine Open(string modelDirectory, EngineOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(modelDirectory);
        options ??= new EngineOptions();
        if (options.VaeTiling is not null && options.VaeMemoryBytes is not null)
        {
            throw new ArgumentException("EngineOptions: VaeTiling and VaeMemoryBytes exclude each other (an explicit tile, or a budget that picks one)", nameof(options));
        }
        if (options.VaeMemoryBytes is < 1)
        {
            throw new ArgumentException($"EngineOptions.VaeMemoryBytes {options.VaeMemoryBytes}: must be at least 1 byte", nameof(options));
        }
        // An undefined value (a cast integer, or a number in a configuration file that Enum.Parse accepts) would otherwise be taken
        // silently: both experts loaded, or the emulated device for an unknown device.
        RequireDefined<ExpertResidency>(options.ExpertResidency, nameof(EngineOptions.ExpertResidency));
        RequireDefined<EngineDevice>(options.Device, nameof(EngineOptions.Device));
        RequireDefined(options.TextEncoderDevice, nameof(EngineOptions.TextEncoderDevice));
        RequireDefined(options.DitDevice, nameof(EngineOptions.DitDevice));
        RequireDefined(options.VaeDevice, nameof(EngineOptions.VaeDevice));
        var backends = EngineBackends.Route(options);
        try
        {
            var pipeline = WanPipeline.Load(backends.Backends, modelDirectory, options.ExpertResidency);
            pipeline.CaptureStepGraphs = options.CaptureStepGraphs;
            pipeline.CheckNonFinite = options.CheckNonFinite;
            pipeline.Vae.Tiling = options.VaeTiling;
            pipeline.Vae.MemoryBudgetBytes = options.VaeMemoryBytes;
            return new WanEngine(options, backends, pipeline);
        }
        catch
        {
            backends.Dispose();
            throw;
        }
    }

    private static void RequireDefined<T>(T? value, string option) where T : struct, Enum
    {
        if (value is { } v && !Enum.IsDefined(v))
        {
            throw new ArgumentException($"EngineOptions.{option} {Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture)}: not one of {string.Join(", ", Enum.GetNames<T>())}", "options");
        }
    }

    /// <summary>
    /// Generates one video (text encoding, denoising, decoding); serialized with other calls (see the
    /// remarks). <paramref name="progress"/> is called on the generating thread.
    /// </summary>
    /// <exception cref="Wan.Errors.RequestException">the request cannot run on this model (names the setting and the limit).</exception>
    /// <exception cref="NonFiniteLatentException">NaN/Inf appeared in a step or the decoded video.</exception>
    /// <exception cref="OperationCanceledException">cancelled while waiting or generating.</exception>
    /// <exception cref="ObjectDisposedException">the engine was disposed.</exception>
    public GenerationResult Generate(GenerationRequest request, Action<GenerationProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        _generation.Wait(cancellation);
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            return Pipeline.Generate(request, progress, cancellation);
        }
        finally
        {
            _generation.Release();
        }
    }

    /// <summary>
    /// Generates one video streamed into <paramref name="sink"/> as it is decoded (host memory for the video: one
    /// decode chunk and the sink's buffers); serialized like <see cref="Generate"/>.
    /// The caller completes the sink, or disposes it unfinished when this throws.
    /// </summary>
    /// <exception cref="Wan.Errors.RequestException">the request cannot run on this model (names the setting and the limit).</exception>
    /// <exception cref="NonFiniteLatentException">NaN/Inf appeared in a step or the decoded video.</exception>
    /// <exception cref="OperationCanceledException">cancelled while waiting or generating.</exception>
    /// <exception cref="ObjectDisposedException">the engine was disposed.</exception>
    /// <exception cref="IOException">the sink failed to write.</exception>
    public StreamedGenerationResult GenerateInto(GenerationRequest request, IVideoSink sink, Action<GenerationProgress>? progress = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(sink);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        _generation.Wait(cancellation);
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            return Pipeline.GenerateInto(request, sink, progress, cancellation);
        }
        finally
        {
            _generation.Release();
        }
    }

    /// <summary>"text encoder: cpu; DiT: cuda BF16 on ...; VAE: cpu": the placement on one line.</summary>
    public string DescribePlacement() => string.Join("; ", Placement);

    /// <summary>Waits for a running generation, then frees the model, the backends and the devices.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _generation.Wait();
        try
        {
            Pipeline.Dispose();
            _backends.Dispose();
        }
        finally
        {
            _generation.Release();
        }
    }
}
