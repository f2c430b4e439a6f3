using Wan.Runtime.Backends;
using Wan.Runtime.Backends.Cpu;
using Wan.Runtime.Tensors;
using Wan.Runtime.Weights;

namespace Wan.Runtime.Tests.Lora;

/// <summary>
/// A backend with every op family that forwards each op to a CPU backend and counts the calls by op
/// name (e.g. <c>LoadWeight</c>: base-weight loads). Given to <c>EngineOptions.WrapBackend</c>, it owns
/// the CPU backend (disposes it). Hand-written: DispatchProxy cannot forward the span-taking ops.
/// </summary>
public sealed class CountingBackend(CpuBackend inner) : IDitOps, ITextEncoderOps, IVaeOps
{
    private readonly CpuBackend _inner = inner;
    private readonly Dictionary<string, int> _calls = [];

    /// <summary>Calls of the named op so far.</summary>
    public int Calls(string op)
    {
        lock (_calls)
        {
            return _calls.GetValueOrDefault(op);
        }
    }

    private void Count(string op)
    {
        lock (_calls)
        {
            _calls[op] = _calls.GetValueOrDefault(op) + 1;
        }
    }

    /// <inheritdoc/>
    public string Name => "counting " + _inner.Name;

    /// <inheritdoc/>
    public DType Storage => _inner.Storage;

    /// <inheritdoc/>
    public Tensor FromHost(ReadOnlySpan<float> data, Shape shape) { Count(nameof(FromHost)); return _inner.FromHost(data, shape); }

    /// <inheritdoc/>
    public Tensor FromHostF32(ReadOnlySpan<float> data, Shape shape) { Count(nameof(FromHostF32)); return _inner.FromHostF32(data, shape); }

    /// <inheritdoc/>
    public Tensor LoadWeight(StoredTensor source) { Count(nameof(LoadWeight)); return _inner.LoadWeight(source); }

    /// <inheritdoc/>
    public float[] ToHost(Tensor tensor) { Count(nameof(ToHost)); return _inner.ToHost(tensor); }

    /// <inheritdoc/>
    public Tensor Reshape(Tensor x, Shape shape) { Count(nameof(Reshape)); return _inner.Reshape(x, shape); }

    /// <inheritdoc/>
    public Tensor SliceRows(Tensor x, int start, int count) { Count(nameof(SliceRows)); return _inner.SliceRows(x, start, count); }

    /// <inheritdoc/>
    public Tensor Linear(Tensor x, Tensor weight, Tensor? bias) { Count(nameof(Linear)); return _inner.Linear(x, weight, bias); }

    /// <inheritdoc/>
    public Tensor RmsNorm(Tensor x, Tensor weight, float eps) { Count(nameof(RmsNorm)); return _inner.RmsNorm(x, weight, eps); }

    /// <inheritdoc/>
    public Tensor GeluTanh(Tensor x) { Count(nameof(GeluTanh)); return _inner.GeluTanh(x); }

    /// <inheritdoc/>
    public Tensor Silu(Tensor x) { Count(nameof(Silu)); return _inner.Silu(x); }

    /// <inheritdoc/>
    public Tensor Add(Tensor a, Tensor b) { Count(nameof(Add)); return _inner.Add(a, b); }

    /// <inheritdoc/>
    public Tensor Mul(Tensor a, Tensor b) { Count(nameof(Mul)); return _inner.Mul(a, b); }

    /// <inheritdoc/>
    public void AddInPlace(Tensor x, Tensor y) { Count(nameof(AddInPlace)); _inner.AddInPlace(x, y); }

    /// <inheritdoc/>
    public Tensor Attention(Tensor q, Tensor k, Tensor v, AttentionSpec spec) { Count(nameof(Attention)); return _inner.Attention(q, k, v, spec); }

    /// <inheritdoc/>
    public bool SupportsAttention(int headDim) { Count(nameof(SupportsAttention)); return _inner.SupportsAttention(headDim); }

    /// <inheritdoc/>
    public Tensor LowRankLinear(Tensor x, Tensor weight, Tensor? bias, Tensor down, Tensor up) { Count(nameof(LowRankLinear)); return _inner.LowRankLinear(x, weight, bias, down, up); }

    /// <inheritdoc/>
    public Tensor LayerNorm(Tensor x, Tensor? weight, Tensor? bias, float eps) { Count(nameof(LayerNorm)); return _inner.LayerNorm(x, weight, bias, eps); }

    /// <inheritdoc/>
    public Tensor ModulatedLayerNorm(Tensor x, Tensor shift, Tensor scale, float eps) { Count(nameof(ModulatedLayerNorm)); return _inner.ModulatedLayerNorm(x, shift, scale, eps); }

    /// <inheritdoc/>
    public void GatedAddInPlace(Tensor x, Tensor y, Tensor gate) { Count(nameof(GatedAddInPlace)); _inner.GatedAddInPlace(x, y, gate); }

    /// <inheritdoc/>
    public Tensor TimestepSinusoid(double t, int dim) { Count(nameof(TimestepSinusoid)); return _inner.TimestepSinusoid(t, dim); }

    /// <inheritdoc/>
    public Tensor Patchify(Tensor latent, Tensor weight, Tensor bias, (int T, int H, int W) patch) { Count(nameof(Patchify)); return _inner.Patchify(latent, weight, bias, patch); }

    /// <inheritdoc/>
    public Tensor Unpatchify(Tensor tokens, int channels, (int F, int H, int W) grid, (int T, int H, int W) patch) { Count(nameof(Unpatchify)); return _inner.Unpatchify(tokens, channels, grid, patch); }

    /// <inheritdoc/>
    public Tensor Embedding(Tensor table, ReadOnlySpan<int> ids) { Count(nameof(Embedding)); return _inner.Embedding(table, ids); }

    /// <inheritdoc/>
    public Tensor RelativePositionBias(Tensor table, ReadOnlySpan<int> offsetBuckets, int queries, int keys)
    {
        Count(nameof(RelativePositionBias));
        return _inner.RelativePositionBias(table, offsetBuckets, queries, keys);
    }

    /// <inheritdoc/>
    public void ResidualAddInPlace(Tensor x, Tensor y) { Count(nameof(ResidualAddInPlace)); _inner.ResidualAddInPlace(x, y); }

    /// <inheritdoc/>
    public Tensor Conv3d(Tensor x, Tensor weight, Tensor? bias, Conv3dSpec spec) { Count(nameof(Conv3d)); return _inner.Conv3d(x, weight, bias, spec); }

    /// <inheritdoc/>
    public Tensor Conv2dFrames(Tensor x, Tensor weight, Tensor? bias, Conv2dSpec spec) { Count(nameof(Conv2dFrames)); return _inner.Conv2dFrames(x, weight, bias, spec); }

    /// <inheritdoc/>
    public Tensor ChannelRmsNorm(Tensor x, Tensor gamma, bool silu) { Count(nameof(ChannelRmsNorm)); return _inner.ChannelRmsNorm(x, gamma, silu); }

    /// <inheritdoc/>
    public Tensor ChannelAffine(Tensor x, Tensor scale, Tensor shift) { Count(nameof(ChannelAffine)); return _inner.ChannelAffine(x, scale, shift); }

    /// <inheritdoc/>
    public Tensor UpsampleNearest2x(Tensor x) { Count(nameof(UpsampleNearest2x)); return _inner.UpsampleNearest2x(x); }

    /// <inheritdoc/>
    public Tensor ConcatFrames(Tensor a, Tensor b) { Count(nameof(ConcatFrames)); return _inner.ConcatFrames(a, b); }

    /// <inheritdoc/>
    public Tensor SliceFrames(Tensor x, int start, int count) { Count(nameof(SliceFrames)); return _inner.SliceFrames(x, start, count); }

    /// <inheritdoc/>
    public Tensor SliceChannels(Tensor x, int start, int count) { Count(nameof(SliceChannels)); return _inner.SliceChannels(x, start, count); }

    /// <inheritdoc/>
    public Tensor InterleaveChannelHalves(Tensor x) { Count(nameof(InterleaveChannelHalves)); return _inner.InterleaveChannelHalves(x); }

    /// <inheritdoc/>
    public Tensor PixelsToRows(Tensor x) { Count(nameof(PixelsToRows)); return _inner.PixelsToRows(x); }

    /// <inheritdoc/>
    public Tensor RowsToPixels(Tensor rows, Shape shape) { Count(nameof(RowsToPixels)); return _inner.RowsToPixels(rows, shape); }

    /// <inheritdoc/>
    public Tensor SingleHeadAttention(Tensor q, Tensor k, Tensor v, float scale) { Count(nameof(SingleHeadAttention)); return _inner.SingleHeadAttention(q, k, v, scale); }

    /// <inheritdoc/>
    public Tensor CropFrames(Tensor x, int top, int left, int height, int width) { Count(nameof(CropFrames)); return _inner.CropFrames(x, top, left, height, width); }

    /// <inheritdoc/>
    public Tensor BlendTiles(IReadOnlyList<VideoTile> tiles, int height, int width) { Count(nameof(BlendTiles)); return _inner.BlendTiles(tiles, height, width); }

    /// <summary>Disposes the CPU backend it owns.</summary>
    public void Dispose() => _inner.Dispose();
}
