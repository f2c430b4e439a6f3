using Wan.Runtime.Backends;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Models.Vae;

/// <summary>
/// Conv3d that is causal in time: output frame t sees input frames t − (kt − 1) .. t. Across
/// chunks the last kt − 1 input frames are kept in the <see cref="FrameCache"/>; before the first
/// chunk the history is zeros. Spatial padding is symmetric, (k − 1)/2.
/// </summary>
internal sealed class CausalConv3d
{
    private readonly IVaeOps _backend;
    private readonly Tensor _weight;
    private readonly Tensor _bias;
    private readonly int _kt, _kh, _kw;

    private CausalConv3d(IVaeOps backend, Tensor weight, Tensor bias)
    {
        _backend = backend;
        _weight = weight;
        _bias = bias;
        (_kt, _kh, _kw) = (weight.Shape[2], weight.Shape[3], weight.Shape[4]);
    }

    public static CausalConv3d Load(IVaeOps ops, WeightLoader weights, string prefix, int cout, int cin, (int T, int H, int W) kernel) =>
        new(ops,
            weights.Load(prefix + ".weight", cout, cin, kernel.T, kernel.H, kernel.W),
            weights.Load(prefix + ".bias", cout));

    /// <summary>Pixels of spatial context on each side of an output pixel: (k − 1)/2 of the wider spatial kernel side.</summary>
    public int SpatialRadius => (Math.Max(_kh, _kw) - 1) / 2;

    /// <summary>Convolves a chunk; a cache is needed unless the kernel is one frame deep.</summary>
    public Tensor Forward(Tensor x, FrameCache? cache)
    {
        int history = _kt - 1;
        if (history == 0)
        {
            return _backend.Conv3d(x, _weight, _bias, Conv3dSpec.Causal(0, _kh, _kw));
        }
        if (cache is null)
        {
            throw new InvalidOperationException($"a causal conv with {_kt} frames of kernel needs a frame cache");
        }
        var past = cache.Get(this);
        using var joined = past is null ? null : _backend.ConcatFrames(past, x);
        var input = joined ?? x;
        int pastFrames = past?.Shape[1] ?? 0;
        var y = _backend.Conv3d(input, _weight, _bias, Conv3dSpec.Causal(history - pastFrames, _kh, _kw));
        int keep = Math.Min(history, input.Shape[1]);
        cache.Set(this, _backend.SliceFrames(input, input.Shape[1] - keep, keep));
        return y;
    }
}
