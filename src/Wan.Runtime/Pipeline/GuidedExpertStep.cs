using Wan.Runtime.Backends;
using Wan.Runtime.Backends.Cuda;
using Wan.Runtime.Models.Dit;
using Wan.Runtime.Pipeline.Caching;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Pipeline;

/// <summary>
/// One expert with a prompt prepared for it (the text K/V of both guidance branches, computed once
/// per generation) that turns a latent into the guided velocity v = uncond + g·(cond − uncond). On
/// CUDA (when asked) the two forwards are captured once into a <see cref="DitStepGraph"/> and replayed
/// every step; otherwise they run directly, with cancellation checked between blocks. Without a negative
/// context (guidance 1: no CFG) only the conditional forward runs. With step caching each branch has its own
/// cache and the forwards run directly (a captured graph cannot skip its blocks).
/// </summary>
internal sealed class GuidedExpertStep : IDisposable
{
    private readonly IBackend _backend;
    private readonly WanTransformer _dit;
    private readonly Shape _shape;
    private readonly DitTextContext _cond;
    private readonly DitTextContext? _uncond;
    private readonly DitStepGraph? _graph;
    private readonly TeaCacheBranch? _condCache, _uncondCache;

    public GuidedExpertStep(IBackend backend, WanTransformer dit, Tensor context, Tensor? negativeContext, Shape latentShape, bool captureGraph,
        TeaCache? cache = null)
    {
        _backend = backend;
        _dit = dit;
        _shape = latentShape;
        _condCache = cache?.NewBranch();
        _uncondCache = cache?.NewBranch();
        _cond = dit.PrepareText(context);
        try
        {
            _uncond = negativeContext is null ? null : dit.PrepareText(negativeContext);
            _graph = captureGraph && cache is null && backend is CudaBackend cuda ? new DitStepGraph(cuda, dit, _cond, _uncond, latentShape) : null;
        }
        catch
        {
            _uncond?.Dispose();
            _cond.Dispose();
            _condCache?.Dispose();
            _uncondCache?.Dispose();
            throw;
        }
    }

    public float[] Velocity(float[] latent, double t, float guidance, CancellationToken cancellation)
    {
        float[] cond;
        float[]? uncond;
        if (_graph is not null)
        {
            (cond, uncond) = _graph.Run(latent, t);
        }
        else
        {
            using var x = _backend.FromHost(latent, _shape);
            cond = Direct(x, t, _cond, _condCache, cancellation);
            uncond = _uncond is null ? null : Direct(x, t, _uncond, _uncondCache, cancellation);
        }
        return uncond is null ? cond : Combine(cond, uncond, guidance);
    }

    private float[] Direct(Tensor x, double t, DitTextContext text, IBlockResidualCache? cache, CancellationToken cancellation)
    {
        using var output = _dit.Forward(x, t, text, cancellation: cancellation, blockCache: cache);
        return _backend.ToHost(output);
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
        _uncond?.Dispose();
        _cond.Dispose();
        _condCache?.Dispose();
        _uncondCache?.Dispose();
    }
}
