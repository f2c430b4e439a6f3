using Wan.Runtime.Backends;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Engine;

/// <summary>
/// How <see cref="WanEngine.Open"/> places and runs the model.
/// </summary>
/// <remarks>
/// Routing rule: each component (text encoder, DiT experts, VAE) runs on its own override when one
/// is set, else on <see cref="Device"/>; <see cref="EngineDevice.Auto"/> means the GPU when one is
/// usable, else the CPU. A component whose device's backend does not declare its op family is refused
/// when the engine is built, with one line naming the component, the device and the family, unless it
/// was left to <see cref="EngineDevice.Auto"/>: Auto puts it on the CPU and <see cref="WanEngine.Placement"/>
/// says why. So <c>Device = Cuda</c> never falls back to the CPU silently (today CUDA declares every
/// family: text encoder, DiT and VAE). <see cref="WanEngine.Placement"/> reports where each one runs.
/// </remarks>
public sealed record EngineOptions
{
    /// <summary>The device of every component without an override (default <see cref="EngineDevice.Auto"/>).</summary>
    public EngineDevice Device { get; init; } = EngineDevice.Auto;

    /// <summary>
    /// Storage type of the CUDA backend (BF16 default, F16 or F32); the CPU backend always computes in
    /// fp32. fp16 can overflow (the non-finite check then says so); bf16 has fp32's range.
    /// </summary>
    public DType Precision { get; init; } = DType.BF16;

    /// <summary>Device of the umT5 text encoder, or null for the rule.</summary>
    public EngineDevice? TextEncoderDevice { get; init; }

    /// <summary>Device of the DiT experts, or null for the rule.</summary>
    public EngineDevice? DitDevice { get; init; }

    /// <summary>Device of the VAE, or null for the rule.</summary>
    public EngineDevice? VaeDevice { get; init; }

    /// <summary>
    /// Which DiT experts keep their weights on the device (default <see cref="Engine.ExpertResidency.Both"/>);
    /// <see cref="Engine.ExpertResidency.Active"/> holds one expert at a time, saving one expert's weights at the cost
    /// of a load at each expert switch (see <see cref="Engine.ExpertResidency"/>).
    /// </summary>
    public ExpertResidency ExpertResidency { get; init; } = ExpertResidency.Both;

    /// <summary>
    /// Spatial tiling of the VAE decode for bounded decode memory (tile and overlap in latent pixels, seams
    /// blended linearly; see <see cref="Models.Vae.VaeTiling"/>), or null (default) to decode whole frames.
    /// </summary>
    public Models.Vae.VaeTiling? VaeTiling { get; init; }

    /// <summary>
    /// Device bytes the VAE decode may take beside its weights (activations, im2col bands, the tiles' frame caches), or null (default)
    /// for no limit: each decode is tiled as <see cref="Models.Vae.VaeDecodeMemory.Choose"/> picks — whole frames when they fit,
    /// else the largest tile that does. Exclusive with <see cref="VaeTiling"/>; <c>wan generate --vae-memory GB</c>.
    /// </summary>
    public long? VaeMemoryBytes { get; init; }

    /// <summary>Capture each expert's denoising step once and replay it where the DiT backend can (default true).</summary>
    public bool CaptureStepGraphs { get; init; } = true;

    /// <summary>Check every step's predictions and latent, and the decoded video, for NaN/Inf (default true).</summary>
    public bool CheckNonFinite { get; init; } = true;

    /// <summary>
    /// Wraps (or replaces) each backend the engine creates before anything is routed to it (profiling,
    /// tracing, a differently tuned CPU backend), or null. The result is routed by the families it
    /// declares and owns the backend it was given: the engine disposes only the result (and, after
    /// it, the devices it created).
    /// </summary>
    public Func<IBackend, IBackend>? WrapBackend { get; init; }
}
