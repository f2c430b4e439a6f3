using Wan.Runtime.Backends;
using Wan.Runtime.Lora;
using Wan.Runtime.Models.Dit;
using Wan.Runtime.Pipeline.Caching;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Pipeline;

/// <summary>
/// One expert with a prompt prepared for it (the text K/V of both guidance branches, computed once
/// per generation) that turns a latent into the guided velocity v = uncond + g·(cond − uncond). When
/// the expert's backend offers <see cref="IStepCapture"/> (and capture is asked for) the two forwards
/// are captured once into a <see cref="DitStepGraph"/> and replayed every step; otherwise they run
/// directly, with cancellation checked between blocks: as one batch-2 forward when the backend offers
/// <see cref="IRoutingOps"/>, both branches run, no LoRA is bound and no step cache is used (both backends do; on the CPU it equals two forwards bit for bit). When asked, the two predictions are checked
/// for NaN/Inf where they live (<see cref="INonFiniteCheck"/>; on the host when the backend does not
/// offer it) before they are combined. Without a negative context (guidance 1: no CFG) only the
/// conditional forward runs and v = cond. With step caching each branch has its own TeaCache state and
/// the forwards run directly (a captured graph cannot skip its blocks). A LoRA binding, when given, is
/// carried by both prepared contexts.
/// </summary>
internal sealed class GuidedExpertStep : IDisposable
{
    private readonly WanTransformer _dit;
    private readonly Shape _shape;
    private readonly DitTextContext _cond;
    private readonly DitTextContext? _uncond;
    private readonly DitStepGraph? _graph;
    private readonly bool _checkNonFinite;
    private readonly TeaCacheBranch? _condCache, _uncondCache;
    private readonly int? _attentionWindow;

    public GuidedExpertStep(WanTransformer dit, Tensor context, Tensor? negativeContext, Shape latentShape, bool captureGraph, bool checkNonFinite,
        TeaCache? cache = null, LoraBinding? adapters = null, int? attentionWindow = null)
    {
        _attentionWindow = attentionWindow;
        _dit = dit;
        _shape = latentShape;
        _checkNonFinite = checkNonFinite;
        _cond = dit.PrepareText(context, adapters);
        try
        {
            _uncond = negativeContext is null ? null : dit.PrepareText(negativeContext, adapters);
            // Streamed blocks are uploaded per forward: a capture refuses uploads, so those forwards run directly.
            _graph = captureGraph && cache is null && !dit.IsStreamed && dit.Backend is IStepCapture capture
                ? new DitStepGraph(capture, dit, _cond, _uncond, latentShape, attentionWindow: attentionWindow) : null;
        }
        catch
        {
            _uncond?.Dispose();
            _cond.Dispose();
            throw;
        }
        _condCache = cache?.NewBranch();
        _uncondCache = _uncond is null ? null : cache?.NewBranch();
    }

    /// <summary>
    /// The guided velocity, and the number of NaN/Inf values in the predictions (0 when the check
    /// is off; the velocity is then not to be trusted when it is not 0).
    /// </summary>
    public (float[] Velocity, long NonFinite) Velocity(float[] latent, double t, float guidance, CancellationToken cancellation)
    {
        var backend = _dit.Backend;
        float[] cond;
        float[]? uncond;
        long nonFinite;
        if (_graph is not null)
        {
            _graph.Replay(latent, t);
            var (c, u) = _graph.Outputs;
            nonFinite = CountOnDevice(backend, c, u);
            (cond, uncond) = (backend.ToHost(c), u is null ? null : backend.ToHost(u));
        }
        else if (backend is IRoutingOps routing && _uncond is { Adapters: null } uncondText && _cond.Adapters is null && _condCache is null
                 && _attentionWindow is null)
        {
            // Classifier-free guidance as one batch of two: the latent uploaded once and gathered twice,
            // every weight read once for both branches (WanTransformer.ForwardBatch, which carries no LoRA,
            // step cache or attention window: those steps take the two direct forwards below).
            using var x = routing.FromHost(latent, new Shape(1, latent.Length));
            using var twice = routing.UploadRowIndex([0, 0], 1);
            using var pair = routing.GatherRows(x, twice);
            using var predictions = _dit.ForwardBatch(pair, _shape, [t, t], [_cond, uncondText], cancellation);
            using var c = routing.SliceRows(predictions, 0, 1);
            using var u = routing.SliceRows(predictions, 1, 1);
            nonFinite = CountOnDevice(backend, c, u);
            (cond, uncond) = (backend.ToHost(c), backend.ToHost(u));
        }
        else
        {
            using var x = backend.FromHost(latent, _shape);
            var next = _dit.StreamNext;
            _dit.StreamNext = _uncond is null ? next : _dit; // streamed blocks: the uncond forward follows, then the next step's expert
            using var c = _dit.Forward(x, t, _cond, cancellation: cancellation, blockCache: _condCache, attentionWindow: _attentionWindow);
            _dit.StreamNext = next;
            using var u = _uncond is null ? null : _dit.Forward(x, t, _uncond, cancellation: cancellation, blockCache: _uncondCache, attentionWindow: _attentionWindow);
            nonFinite = CountOnDevice(backend, c, u);
            (cond, uncond) = (backend.ToHost(c), u is null ? null : backend.ToHost(u));
        }
        if (nonFinite < 0)
        {
            nonFinite = HostMath.CountNonFinite(cond) + (uncond is null ? 0 : HostMath.CountNonFinite(uncond));
        }
        return (uncond is null ? cond : Combine(cond, uncond, guidance), nonFinite);
    }

    /// <summary>The count on the backend when it offers the check, 0 when the check is off, −1 when the host must count.</summary>
    private long CountOnDevice(IBackend backend, Tensor cond, Tensor? uncond) =>
        !_checkNonFinite ? 0
        : backend is INonFiniteCheck check ? check.CountNonFinite(cond) + (uncond is null ? 0 : check.CountNonFinite(uncond))
        : -1;

    /// <summary>Classifier-free guidance in fp32, in place in <paramref name="uncond"/>.</summary>
    internal static float[] Combine(float[] cond, float[] uncond, float guidance)
    {
        for (int j = 0; j < uncond.Length; j++)
        {
            uncond[j] += guidance * (cond[j] - uncond[j]);
        }
        return uncond;
    }

    public void Dispose()
    {
        _graph?.Dispose();
        _uncond?.Dispose();
        _cond.Dispose();
        _condCache?.Dispose();
        _uncondCache?.Dispose();
    }
}
