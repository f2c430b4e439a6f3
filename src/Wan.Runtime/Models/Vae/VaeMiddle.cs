using Wan.Runtime.Backends;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Models.Vae;

/// <summary>The mid block shared by encoder and decoder: residual block, attention, residual block.</summary>
internal sealed class VaeMiddle(VaeResidualBlock first, VaeAttentionBlock attention, VaeResidualBlock second)
{
    /// <summary>Diffusers names: mid_block.resnets.{0,1}, mid_block.attentions.0.</summary>
    public static VaeMiddle Load(IVaeOps ops, WeightLoader w, string prefix, int dim) =>
        new(VaeResidualBlock.Load(ops, w, prefix + ".resnets.0", dim, dim),
            VaeAttentionBlock.Load(ops, w, prefix + ".attentions.0", dim),
            VaeResidualBlock.Load(ops, w, prefix + ".resnets.1", dim, dim));

    /// <summary>Pixels of spatial context on each side from the two residual blocks; the attention between them, global over the frame, is not counted.</summary>
    public int ConvolutionRadius => first.SpatialRadius + second.SpatialRadius;

    public Tensor Forward(Tensor x, FrameCache cache) =>
        first.Forward(x, cache)
            .Then(attention.Forward)
            .Then(t => second.Forward(t, cache));
}
