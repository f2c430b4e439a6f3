using Wan.Runtime.Backends;
using Wan.Runtime.Models.Dit;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Pipeline.Caching;

/// <summary>
/// TeaCache state of one expert and one guidance branch: the previous time embedding (host), the accumulated rescaled
/// distance and the blocks' last residual, kept on the backend that runs the DiT ([L, D] in its storage type), so a
/// skipped forward costs one add and no transfer. Copies and the subtraction use the backend's own ops:
/// copy = x + 0, residual = output + (−1)·input (a fused multiply-add by −1 is exact, so this equals output − input).
/// </summary>
internal sealed class TeaCacheBranch(TeaCache owner) : IBlockResidualCache, IDisposable
{
    private float[]? _previousEmbedding;
    private double _accumulated;
    private Tensor? _residual, _pendingInput, _zeros, _minusOne;

    public bool TryReuse(IDitOps backend, Tensor blockInput, Tensor timeEmbedding, Tensor timeProjection)
    {
        var embedding = backend.ToHost(timeEmbedding);
        bool compute = owner.FinalStep || _previousEmbedding is null || _residual is null
                       || _residual.Shape != blockInput.Shape || owner.Threshold == 0;
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
            _pendingInput?.Dispose();
            _pendingInput = backend.Add(blockInput, Zeros(backend, blockInput.Shape));
            return false;
        }
        backend.AddInPlace(blockInput, _residual!);
        return true;
    }

    public void Store(IDitOps backend, Tensor blockOutput)
    {
        var input = _pendingInput ?? throw new InvalidOperationException("TeaCache: blocks ran without a preceding TryReuse");
        var residual = backend.Add(blockOutput, Zeros(backend, blockOutput.Shape));
        backend.GatedAddInPlace(residual, input, MinusOne(backend, blockOutput.Shape[1]));
        _residual?.Dispose();
        _residual = residual;
        _pendingInput = null;
        input.Dispose();
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

    private Tensor Zeros(IDitOps backend, Shape shape)
    {
        if (_zeros is null || _zeros.Shape != shape)
        {
            _zeros?.Dispose();
            _zeros = backend.FromHost(new float[shape.ElementCount], shape);
        }
        return _zeros;
    }

    private Tensor MinusOne(IDitOps backend, int width)
    {
        if (_minusOne is null || _minusOne.Shape[0] != width)
        {
            _minusOne?.Dispose();
            var values = new float[width];
            Array.Fill(values, -1f);
            _minusOne = backend.FromHost(values, new Shape(width));
        }
        return _minusOne;
    }

    public void Dispose()
    {
        _residual?.Dispose();
        _pendingInput?.Dispose();
        _zeros?.Dispose();
        _minusOne?.Dispose();
    }
}
