using Wan.Runtime.Backends;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Models.Vae;

/// <summary>x → shortcut(x) + conv2(SiLU(RMS(conv1(SiLU(RMS(x)))))); the shortcut is a 1×1×1 conv when the width changes.</summary>
internal sealed class VaeResidualBlock
{
    private readonly IVaeOps _backend;
    private readonly Tensor _norm1, _norm2;
    private readonly CausalConv3d _conv1, _conv2;
    private readonly CausalConv3d? _shortcut;

    private VaeResidualBlock(IVaeOps backend, Tensor norm1, CausalConv3d conv1, Tensor norm2, CausalConv3d conv2, CausalConv3d? shortcut)
    {
        _backend = backend;
        (_norm1, _conv1, _norm2, _conv2, _shortcut) = (norm1, conv1, norm2, conv2, shortcut);
    }

    /// <summary>Diffusers names: norm1.gamma, conv1, norm2.gamma, conv2, conv_shortcut.</summary>
    public static VaeResidualBlock Load(IVaeOps ops, WeightLoader w, string prefix, int cin, int cout) =>
        new(ops,
            w.Load(prefix + ".norm1.gamma", cin, 1, 1, 1),
            CausalConv3d.Load(ops, w, prefix + ".conv1", cout, cin, (3, 3, 3)),
            w.Load(prefix + ".norm2.gamma", cout, 1, 1, 1),
            CausalConv3d.Load(ops, w, prefix + ".conv2", cout, cout, (3, 3, 3)),
            cin == cout ? null : CausalConv3d.Load(ops, w, prefix + ".conv_shortcut", cout, cin, (1, 1, 1)));

    /// <summary>Pixels of spatial context on each side: the two 3×3×3 convs in sequence (the shortcut is 1×1×1).</summary>
    public int SpatialRadius => _conv1.SpatialRadius + _conv2.SpatialRadius + (_shortcut?.SpatialRadius ?? 0);

    public Tensor Forward(Tensor x, FrameCache cache)
    {
        var h = _backend.ChannelRmsNorm(x, _norm1, silu: true)
            .Then(t => _conv1.Forward(t, cache))
            .Then(t => _backend.ChannelRmsNorm(t, _norm2, silu: true))
            .Then(t => _conv2.Forward(t, cache));
        if (_shortcut is null)
        {
            return h.Then(t => _backend.Add(t, x));
        }
        using var shortcut = _shortcut.Forward(x, cache);
        return h.Then(t => _backend.Add(t, shortcut));
    }
}
