using Wan.Kernels.Device;
using Wan.Runtime.Backends;
using Wan.Runtime.Backends.Cuda;
using Wan.Runtime.Models.Dit;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Pipeline;

/// <summary>
/// One denoising step of one DiT expert at a fixed latent shape, captured once into a device graph
/// (<see cref="IDevice.Capture"/>) and replayed every step: the conditional and unconditional forwards
/// are recorded on a latent buffer and a timestep-sinusoid buffer that this object owns, so a step is
/// two uploads, one graph launch and two downloads on the host, however many layers and kernels the
/// DiT has. The sinusoid is computed on the host in float64 (as the direct forward does) and written
/// before the launch, which keeps replays bit-identical to direct forwards. The expert must be loaded
/// on <paramref name="backend"/>; the text contexts must outlive this object.
/// </summary>
public sealed class DitStepGraph : IDisposable
{
    private readonly CudaBackend _backend;
    private readonly int _freqDim;
    private readonly Tensor _latent, _sinusoid;
    private readonly Tensor _cond;
    private readonly Tensor? _uncond;
    private readonly DeviceGraph _graph;

    public DitStepGraph(CudaBackend backend, WanTransformer dit, DitTextContext cond, DitTextContext? uncond, Shape latentShape, int? seqLen = null)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(dit);
        _backend = backend;
        _freqDim = dit.Config.FreqDim;
        dit.PrepareGrid(latentShape);
        _latent = backend.Empty(latentShape);
        _sinusoid = backend.Empty(new Shape(1, _freqDim));
        Tensor? c = null, u = null;
        try
        {
            _graph = backend.Device.Capture(() =>
            {
                c = dit.Forward(_latent, _sinusoid, cond, seqLen);
                u = uncond is null ? null : dit.Forward(_latent, _sinusoid, uncond, seqLen);
            });
        }
        catch
        {
            c?.Dispose();
            u?.Dispose();
            _latent.Dispose();
            _sinusoid.Dispose();
            throw;
        }
        _cond = c ?? throw new InvalidOperationException("the captured step produced no conditional output");
        _uncond = u;
        LatentShape = latentShape;
    }

    public Shape LatentShape { get; }

    /// <summary>The captured graph (its kernel and GEMM counts: the launches one step replays).</summary>
    public DeviceGraph Graph => _graph;

    /// <summary>The graph's output tensors (written by each replay): tests poison them between replays.</summary>
    internal (Tensor Cond, Tensor? Uncond) Outputs => (_cond, _uncond);

    /// <summary>Both flow predictions for <paramref name="latent"/> at timestep <paramref name="t"/> (Uncond null without CFG).</summary>
    public (float[] Cond, float[]? Uncond) Run(ReadOnlySpan<float> latent, double t)
    {
        if (latent.Length != LatentShape.ElementCount)
        {
            throw new ArgumentException($"latent has {latent.Length} values; this step graph was captured for {LatentShape}", nameof(latent));
        }
        _backend.Write(_latent, latent);
        _backend.Write(_sinusoid, HostMath.TimestepSinusoid(t, _freqDim));
        _graph.Launch();
        return (_backend.ToHost(_cond), _uncond is null ? null : _backend.ToHost(_uncond));
    }

    /// <summary>The guided velocity uncond + g·(cond − uncond), combined in fp32 as WanPipeline.Denoise does.</summary>
    public float[] Velocity(ReadOnlySpan<float> latent, double t, float guidance)
    {
        var (cond, uncond) = Run(latent, t);
        return uncond is null ? cond : GuidedExpertStep.Combine(cond, uncond, guidance);
    }

    /// <summary>The outputs first, then the graph (it owns their memory), then the inputs it reads.</summary>
    public void Dispose()
    {
        _cond.Dispose();
        _uncond?.Dispose();
        _graph.Dispose();
        _latent.Dispose();
        _sinusoid.Dispose();
    }
}
