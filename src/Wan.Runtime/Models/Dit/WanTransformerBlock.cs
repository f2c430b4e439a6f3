using Wan.Runtime.Backends;
using Wan.Runtime.Config;
using Wan.Runtime.Lora;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Models.Dit;

/// <summary>
/// One DiT block: adaLN-modulated self-attention with 3D RoPE, cross-attention to the text (after an
/// affine LayerNorm when cross_attn_norm, else on x itself, as the original's nn.Identity), and an
/// adaLN-modulated GELU FFN, each added to the residual stream (fp32 on the CPU; the storage type on
/// CUDA) — diffusers names.
/// </summary>
internal sealed partial class WanTransformerBlock : IDisposable
{
    private readonly DitConfig _c;
    private readonly string _prefix;
    private readonly Tensor _modulation; // [6, D]: shift/scale/gate for attention, shift/scale/gate for the FFN
    private readonly DitLinear _q1, _k1, _v1, _o1, _q2, _k2, _v2, _o2, _ffnIn, _ffnOut;
    private readonly Tensor _normQ1, _normK1, _normQ2, _normK2;
    private readonly Tensor? _crossNormWeight, _crossNormBias;

    public WanTransformerBlock(WeightLoader w, DitConfig c, int index)
    {
        _c = c;
        int d = c.Dim;
        var p = $"blocks.{index}.";
        _prefix = p;
        _modulation = w.LoadReshaped(p + "scale_shift_table", new Shape(1, 6, d), new Shape(6, d));
        _q1 = DitLinear.Load(w, p + "attn1.to_q", d, d);
        _k1 = DitLinear.Load(w, p + "attn1.to_k", d, d);
        _v1 = DitLinear.Load(w, p + "attn1.to_v", d, d);
        _o1 = DitLinear.Load(w, p + "attn1.to_out.0", d, d);
        _normQ1 = w.Load(p + "attn1.norm_q.weight", d);
        _normK1 = w.Load(p + "attn1.norm_k.weight", d);
        _q2 = DitLinear.Load(w, p + "attn2.to_q", d, d);
        _k2 = DitLinear.Load(w, p + "attn2.to_k", d, d);
        _v2 = DitLinear.Load(w, p + "attn2.to_v", d, d);
        _o2 = DitLinear.Load(w, p + "attn2.to_out.0", d, d);
        _normQ2 = w.Load(p + "attn2.norm_q.weight", d);
        _normK2 = w.Load(p + "attn2.norm_k.weight", d);
        if (c.CrossAttnNorm)
        {
            _crossNormWeight = w.Load(p + "norm2.weight", d);
            _crossNormBias = w.Load(p + "norm2.bias", d);
        }
        _ffnIn = DitLinear.Load(w, p + "ffn.net.0.proj", c.FfnDim, d);
        _ffnOut = DitLinear.Load(w, p + "ffn.net.2", d, c.FfnDim);
    }

    /// <summary>
    /// x [L, D] += the block's three residual branches. <paramref name="timeProjection"/> is e0 [6, D];
    /// <paramref name="text"/> is this block's cross-attention K/V of the context; <paramref name="adapters"/>
    /// the request's LoRA binding (null: the base weights); <paramref name="self"/> (or null: full attention)
    /// narrows or extends the self-attention.
    /// </summary>
    public void Forward(IDitOps b, Tensor x, Tensor timeProjection, (Tensor Keys, Tensor Values) text, RopeTable rope, LoraBinding? adapters = null,
        SelfAttention? self = null)
    {
        var normQ1 = Norm(adapters, "attn1.norm_q.weight", _normQ1);
        var normK1 = Norm(adapters, "attn1.norm_k.weight", _normK1);
        var normQ2 = Norm(adapters, "attn2.norm_q.weight", _normQ2);
        using var mod = b.Add(_modulation, timeProjection);
        using var shiftMsa = b.SliceRows(mod, 0, 1);
        using var scaleMsa = b.SliceRows(mod, 1, 1);
        using var gateMsa = b.SliceRows(mod, 2, 1);
        using var shiftFfn = b.SliceRows(mod, 3, 1);
        using var scaleFfn = b.SliceRows(mod, 4, 1);
        using var gateFfn = b.SliceRows(mod, 5, 1);
        int tokens = x.Shape[0];

        using (var h = b.ModulatedLayerNorm(x, shiftMsa, scaleMsa, _c.Eps))
        using (var q = _q1.Apply(b, h, adapters))
        using (var k = _k1.Apply(b, h, adapters))
        using (var v = _v1.Apply(b, h, adapters))
        using (var keys = self?.Cache?.WithCached(Routing(b), self.Layer, k, keys: true))
        using (var values = self?.Cache?.WithCached(Routing(b), self.Layer, v, keys: false))
        using (var a = b.Attention(q, keys ?? k, values ?? v, new AttentionSpec(_c.Heads, 1f / MathF.Sqrt(_c.HeadDim), (keys ?? k).Shape[0],
                   normQ1, normK1, _c.Eps, rope, self?.Bias, self?.FrameWindow, self?.KeyRope)))
        using (var o = _o1.Apply(b, a, adapters))
        {
            if (self is { Cache: { } store, StoreChunk: true })
            {
                store.Store(Routing(b), self.Layer, k, v, self.ChunkFrames);
            }
            b.GatedAddInPlace(x, o, gateMsa);
        }

        using (var h = _c.CrossAttnNorm ? b.LayerNorm(x, Norm(adapters, "norm2.weight", _crossNormWeight), Norm(adapters, "norm2.bias", _crossNormBias), _c.Eps) : null)
        using (var q = _q2.Apply(b, h ?? x, adapters))
        using (var a = b.Attention(q, text.Keys, text.Values, new AttentionSpec(_c.Heads, 1f / MathF.Sqrt(_c.HeadDim), text.Keys.Shape[0], normQ2, null, _c.Eps)))
        using (var o = _o2.Apply(b, a, adapters))
        {
            b.AddInPlace(x, o);
        }

        using (var f1 = FfnIn(b, x, shiftFfn, scaleFfn, adapters))
        using (var activated = GeluTanh(b, f1))
        using (var f2 = _ffnOut.Apply(b, activated ?? f1, adapters))
        {
            b.GatedAddInPlace(x, f2, gateFfn);
        }
    }

    /// <summary>The FFN's first linear on the modulated norm, the norm freed before the activation (one [tokens, D] less at the FFN's peak).</summary>
    private Tensor FfnIn(IDitOps b, Tensor x, Tensor shift, Tensor scale, LoraBinding? adapters)
    {
        using var h = b.ModulatedLayerNorm(x, shift, scale, _c.Eps);
        return _ffnIn.Apply(b, h, adapters);
    }

    /// <summary>GELU of the FFN hidden: in place where the backend can (returns null: <paramref name="f1"/> holds it), else a new tensor.</summary>
    private static Tensor? GeluTanh(IDitOps b, Tensor f1)
    {
        if (b is IInPlaceActivation inPlace)
        {
            inPlace.GeluTanhInPlace(f1);
            return null;
        }
        return b.GeluTanh(f1);
    }

    /// <summary>The row ops the K/V cache keeps its ring buffer with (both backends offer them).</summary>
    private static IRoutingOps Routing(IDitOps b) =>
        b as IRoutingOps ?? throw new NotSupportedException($"{b.Name} has no row ops for the K/V cache (chunked generation)");

    /// <summary>
    /// The cross-attention keys (RMS-normalised) and values of the padded text context [512, D]:
    /// they depend only on the prompt, so a generation computes them once per expert and branch.
    /// </summary>
    public (Tensor Keys, Tensor Values) TextKeyValues(IDitOps b, Tensor context, LoraBinding? adapters = null)
    {
        using var k = _k2.Apply(b, context, adapters);
        return (b.RmsNorm(k, Norm(adapters, "attn2.norm_k.weight", _normK2), _c.Eps), _v2.Apply(b, context, adapters));
    }

    /// <summary>Every linear of the block (diffusers names), for LoRA binding.</summary>
    public IEnumerable<DitLinear> Linears => [_q1, _k1, _v1, _o1, _q2, _k2, _v2, _o2, _ffnIn, _ffnOut];

    /// <summary>The block's norm parameters by diffusers name, for full LoRA deltas.</summary>
    public IEnumerable<(string Name, Tensor Tensor)> NormParameters()
    {
        yield return (_prefix + "attn1.norm_q.weight", _normQ1);
        yield return (_prefix + "attn1.norm_k.weight", _normK1);
        yield return (_prefix + "attn2.norm_q.weight", _normQ2);
        yield return (_prefix + "attn2.norm_k.weight", _normK2);
        if (_crossNormWeight is not null && _crossNormBias is not null)
        {
            yield return (_prefix + "norm2.weight", _crossNormWeight);
            yield return (_prefix + "norm2.bias", _crossNormBias);
        }
    }

    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(baseTensor))]
    private Tensor? Norm(LoraBinding? adapters, string name, Tensor? baseTensor) =>
        adapters is null || baseTensor is null ? baseTensor : adapters.Parameter(_prefix + name, baseTensor);

    public void Dispose()
    {
        foreach (var d in new IDisposable?[] { _modulation, _q1, _k1, _v1, _o1, _q2, _k2, _v2, _o2, _ffnIn, _ffnOut,
                     _normQ1, _normK1, _normQ2, _normK2, _crossNormWeight, _crossNormBias })
        {
            d?.Dispose();
        }
    }
}

/// <summary>
/// How a block's self-attention differs from full attention over its own tokens: a sliding frame
/// window, an additive mask [H, L, L] (the block-causal reference), or a K/V cache whose rows precede
/// the chunk's own keys (with <see cref="KeyRope"/> at their frames' positions), stored afterwards
/// when <see cref="StoreChunk"/>.
/// </summary>
internal sealed record SelfAttention(
    AttentionFrameWindow? FrameWindow = null,
    Tensor? Bias = null,
    DitKvCache? Cache = null,
    int Layer = 0,
    RopeTable? KeyRope = null,
    bool StoreChunk = false,
    int ChunkFrames = 0);
