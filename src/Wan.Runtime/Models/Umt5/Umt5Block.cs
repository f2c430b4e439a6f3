using Wan.Runtime.Backends;
using Wan.Runtime.Config;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Models.Umt5;

/// <summary>
/// One umT5 encoder layer (transformers <c>encoder.block.i</c>, Wan <c>blocks.i</c>), pre-norm:
/// x += o(Attention(RMS(x))) with its own relative-position bias and no 1/√d scaling, then
/// x += wo(gelu_tanh(wi_0 RMS(x)) · wi_1 RMS(x)).
/// </summary>
public sealed class Umt5Block : IDisposable
{
    private readonly ITextEncoderOps _backend;
    private readonly Umt5Config _config;
    private readonly Tensor _attentionNorm, _q, _k, _v, _o;
    private readonly Tensor _ffnNorm, _wi0, _wi1, _wo;

    /// <summary>This layer's relative-position bias table [buckets, heads] on the backend: the bias is a gather from it.</summary>
    private readonly Tensor _biasTable;

    private Umt5Block(ITextEncoderOps backend, Umt5Config config, Tensor biasTable,
        Tensor attentionNorm, Tensor q, Tensor k, Tensor v, Tensor o,
        Tensor ffnNorm, Tensor wi0, Tensor wi1, Tensor wo)
    {
        _backend = backend;
        _config = config;
        _biasTable = biasTable;
        (_attentionNorm, _q, _k, _v, _o) = (attentionNorm, q, k, v, o);
        (_ffnNorm, _wi0, _wi1, _wo) = (ffnNorm, wi0, wi1, wo);
    }

    internal static Umt5Block Load(ITextEncoderOps backend, WeightLoader loader, Umt5Config c, int index)
    {
        var attention = $"encoder.block.{index}.layer.0.";
        var ffn = $"encoder.block.{index}.layer.1.";
        return new Umt5Block(backend, c,
            biasTable: loader.Load(attention + "SelfAttention.relative_attention_bias.weight", c.RelativeAttentionNumBuckets, c.NumHeads),
            attentionNorm: loader.Load(attention + "layer_norm.weight", c.DModel),
            q: loader.Load(attention + "SelfAttention.q.weight", c.InnerDim, c.DModel),
            k: loader.Load(attention + "SelfAttention.k.weight", c.InnerDim, c.DModel),
            v: loader.Load(attention + "SelfAttention.v.weight", c.InnerDim, c.DModel),
            o: loader.Load(attention + "SelfAttention.o.weight", c.DModel, c.InnerDim),
            ffnNorm: loader.Load(ffn + "layer_norm.weight", c.DModel),
            // wi_0 is the GELU branch (Wan ffn.gate), wi_1 the linear branch (Wan ffn.fc1).
            wi0: loader.Load(ffn + "DenseReluDense.wi_0.weight", c.DFf, c.DModel),
            wi1: loader.Load(ffn + "DenseReluDense.wi_1.weight", c.DFf, c.DModel),
            wo: loader.Load(ffn + "DenseReluDense.wo.weight", c.DModel, c.DFf));
    }

    /// <summary>
    /// This layer's additive attention bias [heads, queries, keys]: bias[h, i, j] =
    /// table[bucket(j − i), h] (query i, key j, both 0-based positions in the sequence).
    /// </summary>
    public Tensor PositionBias(int queries, int keys) =>
        PositionBias(RelativePositionBuckets.ForOffsets(queries, keys, _config.RelativeAttentionNumBuckets, _config.RelativeAttentionMaxDistance), queries, keys);

    /// <summary>
    /// <see cref="PositionBias(int, int)"/> from the buckets of every offset (<see cref="RelativePositionBuckets.ForOffsets"/>),
    /// which depend only on the sizes: the encoder computes them once per sequence length for all its layers.
    /// </summary>
    public Tensor PositionBias(ReadOnlySpan<int> offsetBuckets, int queries, int keys) =>
        _backend.RelativePositionBias(_biasTable, offsetBuckets, queries, keys);

    /// <summary>
    /// Runs the layer on the residual stream x [L, d_model] in place. Keys at positions ≥
    /// <paramref name="validKeys"/> are masked out (padding); <paramref name="positionBias"/> is this
    /// layer's <see cref="PositionBias(int, int)"/> for [L, L]. Each residual add applies the reference's fp16
    /// overflow clamp (<see cref="ITextEncoderOps.ResidualAddInPlace"/>) when the backend stores fp16.
    /// </summary>
    public void ForwardInPlace(Tensor x, Tensor positionBias, int validKeys) => ForwardInPlace(x, positionBias, validKeys, clampFp16: true);

    /// <summary>
    /// <see cref="ForwardInPlace(Tensor, Tensor, int)"/>; with <paramref name="clampFp16"/> false the residual adds are
    /// plain (what the encoder does without the reference's fp16 rule: the tests show it overflowing).
    /// </summary>
    internal void ForwardInPlace(Tensor x, Tensor positionBias, int validKeys, bool clampFp16)
    {
        using (var attention = Attention(x, positionBias, validKeys))
        {
            Residual(x, attention, clampFp16);
        }
        using var ffn = FeedForward(x);
        Residual(x, ffn, clampFp16);
    }

    private void Residual(Tensor x, Tensor y, bool clampFp16)
    {
        if (clampFp16)
        {
            _backend.ResidualAddInPlace(x, y);
        }
        else
        {
            _backend.AddInPlace(x, y);
        }
    }

    private Tensor Attention(Tensor x, Tensor positionBias, int validKeys)
    {
        using var h = _backend.RmsNorm(x, _attentionNorm, _config.LayerNormEpsilon);
        using var q = _backend.Linear(h, _q, null);
        using var k = _backend.Linear(h, _k, null);
        using var v = _backend.Linear(h, _v, null);
        // T5 folds the 1/√d scaling into its initialisation: the logits are q·kᵀ + bias, unscaled.
        using var heads = _backend.Attention(q, k, v, new AttentionSpec(_config.NumHeads, Scale: 1f, validKeys, Bias: positionBias));
        return _backend.Linear(heads, _o, null);
    }

    private Tensor FeedForward(Tensor x)
    {
        using var h = _backend.RmsNorm(x, _ffnNorm, _config.LayerNormEpsilon);
        using var gateIn = _backend.Linear(h, _wi0, null);
        using var gate = _backend.GeluTanh(gateIn);
        using var linear = _backend.Linear(h, _wi1, null);
        using var product = _backend.Mul(gate, linear);
        return _backend.Linear(product, _wo, null);
    }

    /// <summary>Frees the tensors this object owns on its backend.</summary>
    public void Dispose()
    {
        foreach (var t in new[] { _biasTable, _attentionNorm, _q, _k, _v, _o, _ffnNorm, _wi0, _wi1, _wo })
        {
            t.Dispose();
        }
    }
}
