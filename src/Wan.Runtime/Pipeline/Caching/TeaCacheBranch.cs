using Wan.Runtime.Backends;
using Wan.Runtime.Models.Dit;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Pipeline.Caching;

/// <summary>
/// TeaCache state of one expert and one guidance branch: the previous time embedding, the accumulated rescaled
/// distance and the blocks' last residual (host fp32, [L, D]).
/// </summary>
internal sealed class TeaCacheBranch(TeaCache owner) : IBlockResidualCache
{
    private float[]? _previousEmbedding;
    private double _accumulated;
    private float[]? _residual;
    private float[]? _pendingInput;

    public bool TryReuse(IBackend backend, Tensor blockInput, Tensor timeEmbedding, Tensor timeProjection)
    {
        var embedding = backend.ToHost(timeEmbedding);
        bool compute = owner.FinalStep || _previousEmbedding is null || _residual is null
                       || _residual.Length != blockInput.Shape.ElementCount || owner.Threshold == 0;
        if (!compute)
        {
            _accumulated += owner.Coefficients.Rescale(RelativeL1(embedding, _previousEmbedding!));
            compute = _accumulated >= owner.Threshold;
        }
        _previousEmbedding = embedding;
        owner.Count(skipped: !compute);
        if (compute)
        {
            _accumulated = 0;
            _pendingInput = backend.ToHost(blockInput);
            return false;
        }
        using var residual = backend.FromHost(_residual!, blockInput.Shape);
        backend.AddInPlace(blockInput, residual);
        return true;
    }

    public void Store(IBackend backend, Tensor blockOutput)
    {
        var input = _pendingInput ?? throw new InvalidOperationException("TeaCache: blocks ran without a preceding TryReuse");
        var residual = backend.ToHost(blockOutput);
        for (int j = 0; j < residual.Length; j++)
        {
            residual[j] -= input[j];
        }
        _residual = residual;
        _pendingInput = null;
    }

    /// <summary><c>mean|a − b| / mean|b|</c> in double, as the reference computes it (on the device, then <c>.item()</c>).</summary>
    internal static double RelativeL1(ReadOnlySpan<float> current, ReadOnlySpan<float> previous)
    {
        double difference = 0, magnitude = 0;
        for (int j = 0; j < current.Length; j++)
        {
            difference += Math.Abs((double)current[j] - previous[j]);
            magnitude += Math.Abs((double)previous[j]);
        }
        return magnitude == 0 ? double.PositiveInfinity : difference / magnitude;
    }
}
