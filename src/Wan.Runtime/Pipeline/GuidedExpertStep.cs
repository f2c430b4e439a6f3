using Wan.Runtime.Backends;
using Wan.Runtime.Backends.Cuda;
using Wan.Runtime.Lora;
using Wan.Runtime.Models.Dit;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Pipeline;

/// <summary>
/// One expert with a prompt prepared for it (the text K/V of both guidance branches, computed once
/// per generation) that turns a latent into the guided velocity v = uncond + g·(cond − uncond). On
/// CUDA (when asked) the two forwards are captured once into a <see cref="DitStepGraph"/> and replayed
/// every step; otherwise they run directly, with cancellation checked between blocks. A LoRA binding,
/// when given, is carried by both prepared contexts.
/// </summary>
internal sealed class GuidedExpertStep : IDisposable
{
    private readonly IBackend _backend;
    private readonly WanTransformer _dit;
    private readonly Shape _shape;
    private readonly DitTextContext _cond, _uncond;
    private readonly DitStepGraph? _graph;

    public GuidedExpertStep(IBackend backend, WanTransformer dit, Tensor context, Tensor negativeContext, Shape latentShape, bool captureGraph,
        LoraBinding? adapters = null)
    {
        _backend = backend;
        _dit = dit;
        _shape = latentShape;
        _cond = dit.PrepareText(context, adapters);
        try
        {
            _uncond = dit.PrepareText(negativeContext, adapters);
            _graph = captureGraph && backend is CudaBackend cuda ? new DitStepGraph(cuda, dit, _cond, _uncond, latentShape) : null;
        }
        catch
        {
            _uncond?.Dispose();
            _cond.Dispose();
            throw;
        }
    }

    public float[] Velocity(float[] latent, long t, float guidance, CancellationToken cancellation)
    {
        float[] cond, uncond;
        if (_graph is not null)
        {
            (cond, uncond) = _graph.Run(latent, t);
        }
        else
        {
            using var x = _backend.FromHost(latent, _shape);
            using var c = _dit.Forward(x, t, _cond, cancellation: cancellation);
            using var u = _dit.Forward(x, t, _uncond, cancellation: cancellation);
            (cond, uncond) = (_backend.ToHost(c), _backend.ToHost(u));
        }
        return Combine(cond, uncond, guidance);
    }

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
