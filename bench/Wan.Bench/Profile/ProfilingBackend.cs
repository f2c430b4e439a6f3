using System.Diagnostics;
using Wan.Runtime.Backends;
using Wan.Runtime.Backends.Cpu;
using Wan.Runtime.Tensors;
using Wan.Runtime.Weights;

namespace Wan.Bench.Profile;

/// <summary>
/// A backend that forwards every op of every family to the CPU backend and adds up wall time, calls
/// and floating-point work per op. Ops run synchronously on the CPU, so wall time per call is that
/// op's cost. It owns the CPU backend (disposes it).
/// </summary>
public sealed class ProfilingBackend(CpuBackend inner) : IDitOps, ITextEncoderOps, IVaeOps
{
    private readonly Dictionary<string, OpTotals> _totals = new(StringComparer.Ordinal);

    /// <summary>Accumulated cost of one op family.</summary>
    public sealed class OpTotals
    {
        public long Calls { get; internal set; }
        public TimeSpan Time { get; internal set; }
        public double Flops { get; internal set; }
    }

    public IReadOnlyDictionary<string, OpTotals> Totals => _totals;

    public void Reset() => _totals.Clear();

    private T Time<T>(string op, double flops, Func<T> body)
    {
        long start = Stopwatch.GetTimestamp();
        var result = body();
        Record(op, flops, Stopwatch.GetElapsedTime(start));
        return result;
    }

    private void Time(string op, double flops, Action body)
    {
        long start = Stopwatch.GetTimestamp();
        body();
        Record(op, flops, Stopwatch.GetElapsedTime(start));
    }

    private void Record(string op, double flops, TimeSpan elapsed)
    {
        if (!_totals.TryGetValue(op, out var t))
        {
            _totals[op] = t = new OpTotals();
        }
        t.Calls++;
        t.Time += elapsed;
        t.Flops += flops;
    }

    private static double Rows(Tensor x) => x.ElementCount / (double)x.Shape[-1];

    public string Name => $"profiled {inner.Name}";

    public DType Storage => inner.Storage;

    public Tensor FromHost(ReadOnlySpan<float> data, Shape shape)
    {
        long start = Stopwatch.GetTimestamp();
        var result = inner.FromHost(data, shape);
        Record(nameof(FromHost), 0, Stopwatch.GetElapsedTime(start));
        return result;
    }

    public Tensor FromHostF32(ReadOnlySpan<float> data, Shape shape)
    {
        long start = Stopwatch.GetTimestamp();
        var result = inner.FromHostF32(data, shape);
        Record(nameof(FromHostF32), 0, Stopwatch.GetElapsedTime(start));
        return result;
    }

    public Tensor LoadWeight(StoredTensor source)
    {
        long start = Stopwatch.GetTimestamp();
        var result = inner.LoadWeight(source);
        Record(nameof(LoadWeight), 0, Stopwatch.GetElapsedTime(start));
        return result;
    }

    public float[] ToHost(Tensor tensor) => Time(nameof(ToHost), 0, () => inner.ToHost(tensor));
    public Tensor Reshape(Tensor x, Shape shape) => Time(nameof(Reshape), 0, () => inner.Reshape(x, shape));
    public Tensor SliceRows(Tensor x, int start, int count) => Time(nameof(SliceRows), 0, () => inner.SliceRows(x, start, count));

    public Tensor Linear(Tensor x, Tensor weight, Tensor? bias) =>
        Time(nameof(Linear), 2.0 * Rows(x) * weight.ElementCount, () => inner.Linear(x, weight, bias));

    public Tensor LowRankLinear(Tensor x, Tensor weight, Tensor? bias, Tensor down, Tensor up) =>
        Time(nameof(LowRankLinear), 2.0 * Rows(x) * (weight.ElementCount + down.ElementCount + up.ElementCount),
            () => inner.LowRankLinear(x, weight, bias, down, up));

    public Tensor RmsNorm(Tensor x, Tensor weight, float eps) => Time(nameof(RmsNorm), 3.0 * x.ElementCount, () => inner.RmsNorm(x, weight, eps));
    public Tensor LayerNorm(Tensor x, Tensor? weight, Tensor? bias, float eps) => Time(nameof(LayerNorm), 5.0 * x.ElementCount, () => inner.LayerNorm(x, weight, bias, eps));
    public Tensor ModulatedLayerNorm(Tensor x, Tensor shift, Tensor scale, float eps) =>
        Time(nameof(ModulatedLayerNorm), 7.0 * x.ElementCount, () => inner.ModulatedLayerNorm(x, shift, scale, eps));
    public Tensor GeluTanh(Tensor x) => Time(nameof(GeluTanh), 8.0 * x.ElementCount, () => inner.GeluTanh(x));
    public Tensor Silu(Tensor x) => Time(nameof(Silu), 4.0 * x.ElementCount, () => inner.Silu(x));
    public Tensor Add(Tensor a, Tensor b) => Time(nameof(Add), a.ElementCount, () => inner.Add(a, b));
    public Tensor Mul(Tensor a, Tensor b) => Time(nameof(Mul), a.ElementCount, () => inner.Mul(a, b));
    public void AddInPlace(Tensor x, Tensor y) => Time(nameof(AddInPlace), x.ElementCount, () => inner.AddInPlace(x, y));
    public void GatedAddInPlace(Tensor x, Tensor y, Tensor gate) => Time(nameof(GatedAddInPlace), 2.0 * x.ElementCount, () => inner.GatedAddInPlace(x, y, gate));
    public Tensor TimestepSinusoid(double t, int dim) => Time(nameof(TimestepSinusoid), 0, () => inner.TimestepSinusoid(t, dim));

    /// <summary>QKᵀ and PV: 4·Lq·Lk·D (norm, RoPE and softmax not counted).</summary>
    public Tensor Attention(Tensor q, Tensor k, Tensor v, AttentionSpec spec) =>
        Time(nameof(Attention), 4.0 * Rows(q) * spec.ValidKeys * q.Shape[-1], () => inner.Attention(q, k, v, spec));

    public bool SupportsAttention(int headDim) => inner.SupportsAttention(headDim);

    public Tensor Patchify(Tensor latent, Tensor weight, Tensor bias, (int T, int H, int W) patch) =>
        Time(nameof(Patchify), 2.0 * latent.ElementCount * weight.Shape[0], () => inner.Patchify(latent, weight, bias, patch));
    public Tensor Unpatchify(Tensor tokens, int channels, (int F, int H, int W) grid, (int T, int H, int W) patch) =>
        Time(nameof(Unpatchify), 0, () => inner.Unpatchify(tokens, channels, grid, patch));

    public Tensor Embedding(Tensor table, ReadOnlySpan<int> ids)
    {
        long start = Stopwatch.GetTimestamp();
        var result = inner.Embedding(table, ids);
        Record(nameof(Embedding), 0, Stopwatch.GetElapsedTime(start));
        return result;
    }

    public Tensor RelativePositionBias(Tensor table, ReadOnlySpan<int> offsetBuckets, int queries, int keys)
    {
        long start = Stopwatch.GetTimestamp();
        var result = inner.RelativePositionBias(table, offsetBuckets, queries, keys);
        Record(nameof(RelativePositionBias), 0, Stopwatch.GetElapsedTime(start));
        return result;
    }

    public void ResidualAddInPlace(Tensor x, Tensor y) => Time(nameof(ResidualAddInPlace), x.ElementCount, () => inner.ResidualAddInPlace(x, y));

    /// <summary>Conv FLOPs: 2 · output elements · (weight elements / output channels).</summary>
    public Tensor Conv3d(Tensor x, Tensor weight, Tensor? bias, Conv3dSpec spec)
    {
        long start = Stopwatch.GetTimestamp();
        var y = inner.Conv3d(x, weight, bias, spec);
        Record(nameof(Conv3d), 2.0 * y.ElementCount * (weight.ElementCount / weight.Shape[0]), Stopwatch.GetElapsedTime(start));
        return y;
    }

    public Tensor Conv2dFrames(Tensor x, Tensor weight, Tensor? bias, Conv2dSpec spec)
    {
        long start = Stopwatch.GetTimestamp();
        var y = inner.Conv2dFrames(x, weight, bias, spec);
        Record(nameof(Conv2dFrames), 2.0 * y.ElementCount * (weight.ElementCount / weight.Shape[0]), Stopwatch.GetElapsedTime(start));
        return y;
    }

    public Tensor ChannelRmsNorm(Tensor x, Tensor gamma, bool silu) => Time(nameof(ChannelRmsNorm), 4.0 * x.ElementCount, () => inner.ChannelRmsNorm(x, gamma, silu));
    public Tensor ChannelAffine(Tensor x, Tensor scale, Tensor shift) => Time(nameof(ChannelAffine), 2.0 * x.ElementCount, () => inner.ChannelAffine(x, scale, shift));
    public Tensor UpsampleNearest2x(Tensor x) => Time(nameof(UpsampleNearest2x), 0, () => inner.UpsampleNearest2x(x));
    public Tensor ConcatFrames(Tensor a, Tensor b) => Time(nameof(ConcatFrames), 0, () => inner.ConcatFrames(a, b));
    public Tensor SliceFrames(Tensor x, int start, int count) => Time(nameof(SliceFrames), 0, () => inner.SliceFrames(x, start, count));
    public Tensor SliceChannels(Tensor x, int start, int count) => Time(nameof(SliceChannels), 0, () => inner.SliceChannels(x, start, count));
    public Tensor InterleaveChannelHalves(Tensor x) => Time(nameof(InterleaveChannelHalves), 0, () => inner.InterleaveChannelHalves(x));
    public Tensor PixelsToRows(Tensor x) => Time(nameof(PixelsToRows), 0, () => inner.PixelsToRows(x));
    public Tensor RowsToPixels(Tensor rows, Shape shape) => Time(nameof(RowsToPixels), 0, () => inner.RowsToPixels(rows, shape));
    public Tensor SingleHeadAttention(Tensor q, Tensor k, Tensor v, float scale) =>
        Time(nameof(SingleHeadAttention), 4.0 * q.Shape[0] * k.Shape[0] * q.Shape[1], () => inner.SingleHeadAttention(q, k, v, scale));
    public Tensor CropFrames(Tensor x, int top, int left, int height, int width) => Time(nameof(CropFrames), 0, () => inner.CropFrames(x, top, left, height, width));
    public Tensor BlendTiles(IReadOnlyList<VideoTile> tiles, int height, int width) => Time(nameof(BlendTiles), 0, () => inner.BlendTiles(tiles, height, width));

    public void Dispose() => inner.Dispose();
}
