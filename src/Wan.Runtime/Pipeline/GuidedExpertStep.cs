using Wan.Runtime.Backends;
using Wan.Runtime.Lora;
using Wan.Runtime.Models.Dit;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Pipeline;

/// <summary>
/// One expert with a prompt prepared for it (the text K/V of both guidance branches, computed once
/// per generation) that turns a latent into the guided velocity v = uncond + g·(cond − uncond). When
/// the expert's backend offers <see cref="IStepCapture"/> (and capture is asked for) the two forwards
/// are captured once into a <see cref="DitStepGraph"/> and replayed every step; otherwise they run
/// directly, with cancellation checked between blocks. When asked, the two predictions are checked
/// for NaN/Inf where they live (<see cref="INonFiniteCheck"/>; on the host when the backend does not
/// offer it) before they are combined. A LoRA binding, when given, is carried by both prepared contexts.
/// </summary>
internal sealed class GuidedExpertStep : IDisposable
{
    private readonly WanTransformer _dit;
    private readonly Shape _shape;
    private readonly DitTextContext _cond, _uncond;
    private readonly DitStepGraph? _graph;
    private readonly bool _checkNonFinite;
    private readonly int? _attentionWindow;

    public GuidedExpertStep(WanTransformer dit, Tensor context, Tensor negativeContext, Shape latentShape, bool captureGraph, bool checkNonFinite,
        LoraBinding? adapters = null, int? attentionWindow = null)
    {
        _attentionWindow = attentionWindow;
        _dit = dit;
        _shape = latentShape;
        _checkNonFinite = checkNonFinite;
        _cond = dit.PrepareText(context, adapters);
        try
        {
            _uncond = dit.PrepareText(negativeContext, adapters);
            _graph = captureGraph && dit.Backend is IStepCapture capture ? new DitStepGraph(capture, dit, _cond, _uncond, latentShape, attentionWindow: attentionWindow) : null;
        }
        catch
        {
            _uncond?.Dispose();
            _cond.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The guided velocity, and the number of NaN/Inf values in the two predictions (0 when the check
    /// is off; the velocity is then not to be trusted when it is not 0).
    /// </summary>
    public (float[] Velocity, long NonFinite) Velocity(float[] latent, long t, float guidance, CancellationToken cancellation)
    {
        var backend = _dit.Backend;
        float[] cond, uncond;
        long nonFinite;
        if (_graph is not null)
        {
            _graph.Replay(latent, t);
            var (c, u) = _graph.Outputs;
            nonFinite = CountOnDevice(backend, c, u);
            (cond, uncond) = (backend.ToHost(c), backend.ToHost(u));
        }
        else
        {
            using var x = backend.FromHost(latent, _shape);
            using var c = _dit.Forward(x, t, _cond, cancellation: cancellation, attentionWindow: _attentionWindow);
            using var u = _dit.Forward(x, t, _uncond, cancellation: cancellation, attentionWindow: _attentionWindow);
            nonFinite = CountOnDevice(backend, c, u);
            (cond, uncond) = (backend.ToHost(c), backend.ToHost(u));
        }
        if (nonFinite < 0)
        {
            nonFinite = HostMath.CountNonFinite(cond) + HostMath.CountNonFinite(uncond);
        }
        return (Combine(cond, uncond, guidance), nonFinite);
    }

    /// <summary>The count on the backend when it offers the check, 0 when the check is off, −1 when the host must count.</summary>
    private long CountOnDevice(IBackend backend, Tensor cond, Tensor uncond) =>
        !_checkNonFinite ? 0
        : backend is INonFiniteCheck check ? check.CountNonFinite(cond) + check.CountNonFinite(uncond)
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
        _uncond.Dispose();
        _cond.Dispose();
    }
}
