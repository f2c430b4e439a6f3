using Wan.Runtime.Backends;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Models.Vae;

/// <summary>
/// The stage transitions of the Wan VAE (diffusers <c>upsamplers.0</c> / the resample entries of
/// <c>down_blocks</c>): <c>resample.1</c> is the per-frame Conv2d, <c>time_conv</c> the temporal part.
/// The time part follows the official chunked semantics, which differ from a plain causal pass:
/// the first chunk bypasses it; the upsampler's history starts at zeros after the first chunk
/// (frame 0 is never its input), the downsampler's history is the last frame of the previous chunk.
/// </summary>
internal sealed class VaeResample
{
    private readonly IVaeOps _backend;
    private readonly VaeResampleMode _mode;
    private readonly Tensor _spatialWeight, _spatialBias;
    private readonly CausalConv3d? _upsampleTimeConv;
    private readonly Tensor? _downsampleTimeWeight, _downsampleTimeBias;

    private VaeResample(IVaeOps backend, VaeResampleMode mode, Tensor spatialWeight, Tensor spatialBias,
        CausalConv3d? upsampleTimeConv, Tensor? downsampleTimeWeight, Tensor? downsampleTimeBias)
    {
        _backend = backend;
        _mode = mode;
        (_spatialWeight, _spatialBias) = (spatialWeight, spatialBias);
        _upsampleTimeConv = upsampleTimeConv;
        (_downsampleTimeWeight, _downsampleTimeBias) = (downsampleTimeWeight, downsampleTimeBias);
    }

    /// <summary>A transition of a stage with <paramref name="dim"/> channels (upsamplers output dim/2).</summary>
    public static VaeResample Load(IVaeOps ops, WeightLoader w, string prefix, int dim, VaeResampleMode mode)
    {
        bool up = mode is VaeResampleMode.Upsample2d or VaeResampleMode.Upsample3d;
        int outDim = up ? dim / 2 : dim;
        var weight = w.Load(prefix + ".resample.1.weight", outDim, dim, 3, 3);
        var bias = w.Load(prefix + ".resample.1.bias", outDim);
        return mode switch
        {
            VaeResampleMode.Upsample3d => new(ops, mode, weight, bias,
                CausalConv3d.Load(ops, w, prefix + ".time_conv", 2 * dim, dim, (3, 1, 1)), null, null),
            VaeResampleMode.Downsample3d => new(ops, mode, weight, bias, null,
                w.Load(prefix + ".time_conv.weight", dim, dim, 3, 1, 1), w.Load(prefix + ".time_conv.bias", dim)),
            _ => new(ops, mode, weight, bias, null, null, null),
        };
    }

    /// <summary>
    /// The spatial reach after this transition of a reach of <paramref name="reach"/> pixels before it: an upsampler doubles it
    /// (nearest 2×) and adds its per-frame conv's radius; the time conv has no spatial extent.
    /// </summary>
    /// <exception cref="NotSupportedException">a downsampler (only the decoder's reach is modelled).</exception>
    public int ReachAfter(int reach) => _mode is VaeResampleMode.Upsample2d or VaeResampleMode.Upsample3d
        ? checked(2 * reach + (_spatialWeight.Shape[2] - 1) / 2)
        : throw new NotSupportedException("the spatial reach of a downsampler is not modelled");

    public Tensor Forward(Tensor x, FrameCache cache) => _mode switch
    {
        VaeResampleMode.Upsample2d => UpsampleFrames(x),
        VaeResampleMode.Upsample3d => Upsample3d(x, cache),
        VaeResampleMode.Downsample2d => DownsampleFrames(x),
        _ => Downsample3d(x, cache),
    };

    private Tensor UpsampleFrames(Tensor x) =>
        _backend.UpsampleNearest2x(x).Then(t => _backend.Conv2dFrames(t, _spatialWeight, _spatialBias, Conv2dSpec.Same(1)));

    private Tensor DownsampleFrames(Tensor x) =>
        _backend.Conv2dFrames(x, _spatialWeight, _spatialBias, Conv2dSpec.DownsampleRightBottom);

    private Tensor Upsample3d(Tensor x, FrameCache cache)
    {
        if (!cache.Contains(this))
        {
            cache.Set(this, null);
            return UpsampleFrames(x);
        }
        return _upsampleTimeConv!.Forward(x, cache)
            .Then(_backend.InterleaveChannelHalves)
            .Then(UpsampleFrames);
    }

    private Tensor Downsample3d(Tensor x, FrameCache cache)
    {
        var y = DownsampleFrames(x);
        var previous = cache.Get(this);
        var last = _backend.SliceFrames(y, y.Shape[1] - 1, 1);
        if (previous is null)
        {
            cache.Set(this, last);
            return y;
        }
        using (y)
        {
            using var joined = _backend.ConcatFrames(previous, y);
            cache.Set(this, last);
            return _backend.Conv3d(joined, _downsampleTimeWeight!, _downsampleTimeBias, new Conv3dSpec(2, 1, 1, 0, 0, 0, 0, 0));
        }
    }
}
