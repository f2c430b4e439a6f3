using Wan.Runtime.Backends;
using Wan.Runtime.Models.Dit;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Pipeline;

/// <summary>
/// One denoising step of one DiT expert at a fixed latent shape, captured once
/// (<see cref="IStepCapture.Capture"/>) and replayed every step: the conditional and unconditional
/// forwards are recorded on a latent tensor and a timestep-sinusoid tensor that this object owns, so a
/// step is two uploads, one replay and two downloads on the host, however many layers and kernels the
/// DiT has. The sinusoid is computed on the host in float64 (as the direct forward does) and written
/// before the replay, which keeps replays bit-identical to direct forwards. The expert must be loaded
/// on <c>backend</c>; the text contexts must outlive this object. The step holds a reference to the
/// expert's RoPE table of this shape, so a later request at another resolution cannot free it.
/// </summary>
public sealed class DitStepGraph : IDisposable
{
    private readonly IStepCapture _backend;
    private readonly int _freqDim;
    private readonly RopeTable _rope;
    private readonly Tensor _latent, _sinusoid;
    private readonly Tensor _cond;
    private readonly Tensor? _uncond;
    private readonly ICapturedWork _graph;

    /// <summary>
    /// Captures both forwards of <paramref name="dit"/> for latents of <paramref name="latentShape"/> [C, F, H, W];
    /// only the conditional one when <paramref name="uncond"/> is null (no CFG).
    /// </summary>
    /// <exception cref="ArgumentException">the expert lives on another backend, or the shape does not fit it.</exception>
    public DitStepGraph(IStepCapture backend, WanTransformer dit, DitTextContext cond, DitTextContext? uncond, Shape latentShape, int? seqLen = null,
        int? attentionWindow = null)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(dit);
        if (!ReferenceEquals(dit.Backend, backend))
        {
            throw new ArgumentException($"the DiT expert lives on {dit.Backend.Name}, not on {backend.Name}", nameof(dit));
        }
        _backend = backend;
        _freqDim = dit.Config.FreqDim;
        _rope = dit.HoldRope(latentShape);
        Tensor? latent = null, sinusoid = null, c = null, u = null;
        try
        {
            latent = backend.Empty(latentShape);
            sinusoid = backend.Empty(new Shape(1, _freqDim));
            Tensor latentInput = latent, sinusoidInput = sinusoid;
            _graph = backend.Capture(() =>
            {
                c = dit.Forward(latentInput, sinusoidInput, cond, seqLen, attentionWindow: attentionWindow);
                u = uncond is null ? null : dit.Forward(latentInput, sinusoidInput, uncond, seqLen, attentionWindow: attentionWindow);
            });
        }
        catch
        {
            c?.Dispose();
            u?.Dispose();
            latent?.Dispose();
            sinusoid?.Dispose();
            _rope.Dispose();
            throw;
        }
        _latent = latent!;
        _sinusoid = sinusoid!;
        _cond = c ?? throw new InvalidOperationException("the captured step produced no conditional output");
        _uncond = u;
        LatentShape = latentShape;
    }

    /// <summary>The latent shape [C, F, H, W] the step was captured for.</summary>
    public Shape LatentShape { get; }

    /// <summary>The captured work (its kernel and GEMM counts: the launches one step replays).</summary>
    public ICapturedWork Graph => _graph;

    /// <summary>The graph's output tensors on the backend (written by each replay; Uncond null without CFG): the non-finite check reads them there.</summary>
    public (Tensor Cond, Tensor? Uncond) Outputs => (_cond, _uncond);

    /// <summary>The RoPE table the captured forwards read (held by this step until it is disposed).</summary>
    internal RopeTable Rope => _rope;

    /// <summary>Writes <paramref name="latent"/> and the sinusoid of <paramref name="t"/>, then replays: <see cref="Outputs"/> then hold both predictions.</summary>
    /// <exception cref="ArgumentException">the latent's length does not match <see cref="LatentShape"/>.</exception>
    public void Replay(ReadOnlySpan<float> latent, double t)
    {
        if (latent.Length != LatentShape.ElementCount)
        {
            throw new ArgumentException($"latent has {latent.Length} values; this step graph was captured for {LatentShape}", nameof(latent));
        }
        _backend.Write(_latent, latent);
        _backend.Write(_sinusoid, HostMath.TimestepSinusoid(t, _freqDim));
        _graph.Replay();
    }

    /// <summary>Both flow predictions [C, F, H, W] for <paramref name="latent"/> at timestep <paramref name="t"/>, on the host (Uncond null without CFG).</summary>
    /// <exception cref="ArgumentException">the latent's length does not match <see cref="LatentShape"/>.</exception>
    public (float[] Cond, float[]? Uncond) Run(ReadOnlySpan<float> latent, double t)
    {
        Replay(latent, t);
        return (_backend.ToHost(_cond), _uncond is null ? null : _backend.ToHost(_uncond));
    }

    /// <summary>The guided velocity uncond + g·(cond − uncond), combined in fp32 as WanPipeline.Denoise does.</summary>
    public float[] Velocity(ReadOnlySpan<float> latent, double t, float guidance)
    {
        var (cond, uncond) = Run(latent, t);
        return uncond is null ? cond : GuidedExpertStep.Combine(cond, uncond, guidance);
    }

    /// <summary>The outputs first, then the graph (it owns their memory), then the inputs and the RoPE table it reads.</summary>
    public void Dispose()
    {
        _cond.Dispose();
        _uncond?.Dispose();
        _graph.Dispose();
        _latent.Dispose();
        _sinusoid.Dispose();
        _rope.Dispose();
    }
}
