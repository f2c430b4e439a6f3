using System.Runtime.InteropServices;
using Wan.Runtime.Tensors;
using Wan.Runtime.Weights;
using Wan.Runtime.Weights.Transforms;

namespace Wan.Convert.Weights;

/// <summary>
/// Reads a float tensor's values (scale applied: fp8 is dequantised) as consecutive float32 chunks of
/// bounded size, by streaming it through a <see cref="DTypeChangedTensor"/> to F32.
/// </summary>
public sealed class FloatChunks : IDisposable
{
    /// <summary>Most elements one <see cref="Next"/> returns.</summary>
    public const int ChunkElements = TransformedTensor.ChunkElements;

    private readonly Stream _stream;
    private long _position;

    /// <summary>Throws <see cref="InvalidOperationException"/> naming the location for a non-float tensor.</summary>
    public FloatChunks(StoredTensor tensor)
    {
        if (!tensor.DType.IsFloat())
        {
            throw new InvalidOperationException($"{tensor.Location}: tensor '{tensor.Name}' has dtype {tensor.DType}, not a float type");
        }
        Elements = tensor.ElementCount;
        _stream = tensor.DType == DType.F32 && tensor.Scale is null ? tensor.OpenRead() : new DTypeChangedTensor(tensor, DType.F32).OpenRead();
    }

    /// <summary>Elements in the tensor.</summary>
    public long Elements { get; }

    /// <summary>Fills the next chunk of at most <see cref="ChunkElements"/> values; returns its length (0 at the end).</summary>
    public int Next(Span<float> dst)
    {
        var n = (int)Math.Min(Math.Min(dst.Length, ChunkElements), Elements - _position);
        if (n == 0)
        {
            return 0;
        }
        _stream.ReadExactly(MemoryMarshal.AsBytes(dst[..n]));
        _position += n;
        return n;
    }

    public void Dispose() => _stream.Dispose();
}
