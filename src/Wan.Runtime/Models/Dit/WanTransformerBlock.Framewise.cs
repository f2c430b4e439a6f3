using Wan.Runtime.Backends;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Models.Dit;

internal sealed partial class WanTransformerBlock
{
    /// <summary>
    /// <see cref="Forward"/> over x [F·T, D] with a timestep per latent frame: e0 [F·6, D] holds each frame's time
    /// projection and the modulation is per frame (<see cref="IRoutingOps"/>'s per-sample ops with the frames as
    /// samples); the self-attention runs over all rows with the additive <paramref name="bias"/> [heads, L, L].
    /// </summary>
    public void ForwardFramewise(IRoutingOps b, Tensor x, Tensor e0, BatchModulationRows frames, (Tensor Keys, Tensor Values) text,
        RopeTable rope, Tensor bias)
    {
        using var m = new SampleModulation(b, _modulation, e0, frames);
        float scale = 1f / MathF.Sqrt(_c.HeadDim);

        using (var h = b.ModulatedLayerNormPerSample(x, m.ShiftMsa, m.ScaleMsa, _c.Eps))
        using (var q = _q1.Apply(b, h))
        using (var k = _k1.Apply(b, h))
        using (var v = _v1.Apply(b, h))
        using (var a = b.Attention(q, k, v, new AttentionSpec(_c.Heads, scale, k.Shape[0], _normQ1, _normK1, _c.Eps, rope, bias)))
        using (var o = _o1.Apply(b, a))
        {
            b.GatedAddInPlacePerSample(x, o, m.GateMsa);
        }

        using (var h = _c.CrossAttnNorm ? b.LayerNorm(x, _crossNormWeight, _crossNormBias, _c.Eps) : null)
        using (var q = _q2.Apply(b, h ?? x))
        using (var a = b.Attention(q, text.Keys, text.Values, new AttentionSpec(_c.Heads, scale, text.Keys.Shape[0], _normQ2, null, _c.Eps)))
        using (var o = _o2.Apply(b, a))
        {
            b.AddInPlace(x, o);
        }

        using (var h = b.ModulatedLayerNormPerSample(x, m.ShiftFfn, m.ScaleFfn, _c.Eps))
        using (var f1 = _ffnIn.Apply(b, h))
        using (var g = b.GeluTanh(f1))
        using (var f2 = _ffnOut.Apply(b, g))
        {
            b.GatedAddInPlacePerSample(x, f2, m.GateFfn);
        }
    }
}
