using Wan.Runtime.Backends;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Models.Vae;

/// <summary>
/// Single-head self-attention over the pixels of each frame separately:
/// x + proj(attn(qkv(RMS(x)))), qkv and proj 1×1 convs, scale 1/√C.
/// </summary>
internal sealed class VaeAttentionBlock
{
    private readonly IVaeOps _backend;
    private readonly Tensor _norm, _qkvWeight, _qkvBias, _projWeight, _projBias;
    private readonly int _channels;

    private VaeAttentionBlock(IVaeOps backend, int channels, Tensor norm, Tensor qkvWeight, Tensor qkvBias, Tensor projWeight, Tensor projBias)
    {
        _backend = backend;
        _channels = channels;
        (_norm, _qkvWeight, _qkvBias, _projWeight, _projBias) = (norm, qkvWeight, qkvBias, projWeight, projBias);
    }

    /// <summary>Diffusers names: norm.gamma [C,1,1], to_qkv [3C,C,1,1] (q, k, v channel thirds), proj [C,C,1,1].</summary>
    public static VaeAttentionBlock Load(IVaeOps ops, WeightLoader w, string prefix, int c) =>
        new(ops, c,
            w.Load(prefix + ".norm.gamma", c, 1, 1),
            w.Load(prefix + ".to_qkv.weight", 3 * c, c, 1, 1),
            w.Load(prefix + ".to_qkv.bias", 3 * c),
            w.Load(prefix + ".proj.weight", c, c, 1, 1),
            w.Load(prefix + ".proj.bias", c));

    public Tensor Forward(Tensor x)
    {
        int c = _channels, frames = x.Shape[1];
        if (frames < 1)
        {
            throw new ArgumentException($"VAE attention: input {x.Shape} has no frames");
        }
        float scale = 1f / MathF.Sqrt(c);
        using var qkv = _backend.ChannelRmsNorm(x, _norm, silu: false)
            .Then(t => _backend.Conv2dFrames(t, _qkvWeight, _qkvBias, Conv2dSpec.Same(0)));
        Tensor? attended = null;
        for (int f = 0; f < frames; f++)
        {
            using var frame = _backend.SliceFrames(qkv, f, 1);
            using var q = Rows(frame, 0);
            using var k = Rows(frame, c);
            using var v = Rows(frame, 2 * c);
            var result = _backend.SingleHeadAttention(q, k, v, scale)
                .Then(t => _backend.RowsToPixels(t, new Shape(c, 1, x.Shape[2], x.Shape[3])));
            attended = attended is null ? result : attended.Then(a => result.Then(r => _backend.ConcatFrames(a, r)));
        }
        return attended!
            .Then(t => _backend.Conv2dFrames(t, _projWeight, _projBias, Conv2dSpec.Same(0)))
            .Then(t => _backend.Add(t, x));
    }

    /// <summary>Channels [first, first + C) of one frame as pixel rows [H·W, C].</summary>
    private Tensor Rows(Tensor frame, int first) =>
        _backend.SliceChannels(frame, first, _channels).Then(_backend.PixelsToRows);
}
