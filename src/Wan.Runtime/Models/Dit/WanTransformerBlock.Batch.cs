using Wan.Runtime.Backends;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Models.Dit;

internal sealed partial class WanTransformerBlock
{
    /// <summary>
    /// <see cref="Forward"/> on B samples stacked as x [B·L, D]: e0 [B·6, D] holds each sample's time
    /// projection; texts[s] is sample s's cross-attention K/V. The linears run once on all rows; the
    /// modulation is per sample and attention runs per sample on its own rows.
    /// </summary>
    public void ForwardBatch(IRoutingOps b, Tensor x, Tensor e0, BatchModulationRows rows, IReadOnlyList<(Tensor Keys, Tensor Values)> texts,
        int tokens, RopeTable rope)
    {
        using var m = new SampleModulation(b, _modulation, e0, rows);
        var selfSpec = new AttentionSpec(_c.Heads, 1f / MathF.Sqrt(_c.HeadDim), tokens, _normQ1, _normK1, _c.Eps, rope);

        using (var h = b.ModulatedLayerNormPerSample(x, m.ShiftMsa, m.ScaleMsa, _c.Eps))
        using (var q = _q1.ApplyPerSample(b, h, rows.Samples))
        using (var k = _k1.ApplyPerSample(b, h, rows.Samples))
        using (var v = _v1.ApplyPerSample(b, h, rows.Samples))
        using (var a = PerSample(b, rows.Samples, tokens, s => (Rows(b, q, s, tokens), Rows(b, k, s, tokens), Rows(b, v, s, tokens)), selfSpec, null))
        using (var o = _o1.ApplyPerSample(b, a, rows.Samples))
        {
            b.GatedAddInPlacePerSample(x, o, m.GateMsa);
        }

        using (var h = _c.CrossAttnNorm ? b.LayerNorm(x, _crossNormWeight, _crossNormBias, _c.Eps) : null)
        using (var q = _q2.ApplyPerSample(b, h ?? x, rows.Samples))
        using (var a = PerSample(b, rows.Samples, tokens, s => (Rows(b, q, s, tokens), null, null), null, texts))
        using (var o = _o2.ApplyPerSample(b, a, rows.Samples))
        {
            b.AddInPlace(x, o);
        }

        using (var f1 = FfnInPerSample(b, x, m.ShiftFfn, m.ScaleFfn, rows))
        using (var activated = GeluTanh(b, f1))
        using (var f2 = _ffnOut.ApplyPerSample(b, activated ?? f1, rows.Samples))
        {
            b.GatedAddInPlacePerSample(x, f2, m.GateFfn);
        }
    }

    /// <summary>The FFN's first linear on the per-sample modulated norm, the norm freed before the activation.</summary>
    private Tensor FfnInPerSample(IRoutingOps b, Tensor x, Tensor shift, Tensor scale, BatchModulationRows rows)
    {
        using var h = b.ModulatedLayerNormPerSample(x, shift, scale, _c.Eps);
        return _ffnIn.ApplyPerSample(b, h, rows.Samples);
    }

    private static Tensor Rows(IRoutingOps b, Tensor t, int sample, int tokens) => b.SliceRows(t, sample * tokens, tokens);

    /// <summary>
    /// Attention of each sample on its own rows, stacked back to [B·L, D]: self-attention (keys and values
    /// from the sample's rows, <paramref name="selfSpec"/>) or, when <paramref name="texts"/> is given,
    /// cross-attention to sample s's text K/V.
    /// </summary>
    private Tensor PerSample(IRoutingOps b, int samples, int tokens, Func<int, (Tensor Q, Tensor? K, Tensor? V)> slice,
        AttentionSpec? selfSpec, IReadOnlyList<(Tensor Keys, Tensor Values)>? texts)
    {
        var outputs = new List<Tensor>(samples);
        try
        {
            for (int s = 0; s < samples; s++)
            {
                var (q, k, v) = slice(s);
                using (q)
                using (k)
                using (v)
                {
                    outputs.Add(texts is null
                        ? b.Attention(q, k!, v!, selfSpec!)
                        : b.Attention(q, texts[s].Keys, texts[s].Values,
                            new AttentionSpec(_c.Heads, 1f / MathF.Sqrt(_c.HeadDim), texts[s].Keys.Shape[0], _normQ2, null, _c.Eps)));
                }
            }
            return b.ConcatRows(outputs);
        }
        finally
        {
            outputs.ForEach(o => o.Dispose());
        }
    }
}
