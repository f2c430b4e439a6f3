using Wan.Runtime.Tensors;
using Wan.Runtime.Weights.Storage;

namespace Wan.Runtime.Weights;

/// <summary>A stored tensor whose bytes lie in a <see cref="TensorStorage"/> (a mapped safetensors file, or a native buffer).</summary>
public sealed class StorageTensor : StoredTensor
{
    private readonly TensorStorage _storage;
    private readonly long _offset;

    /// <summary>
    /// The tensor at bytes [offset, offset + shape × size) of <paramref name="storage"/>; throws
    /// <see cref="InvalidDataException"/> when they do not lie inside it.
    /// </summary>
    public StorageTensor(TensorStorage storage, long offset, string name, DType dtype, Shape shape, TensorScale? scale = null)
        : base(name, dtype, shape, storage.Location, scale)
    {
        if (offset < 0 || offset > storage.Length - ByteLength)
        {
            throw new InvalidDataException($"{storage.Location}: tensor '{name}' bytes [{offset}, {offset}+{ByteLength}) lie outside its {storage.Length} bytes");
        }
        _storage = storage;
        _offset = offset;
    }

    /// <inheritdoc/>
    public override StoredBytes Acquire() => _storage.Lease(_offset, ByteLength);

    /// <inheritdoc/>
    public override Stream OpenRead() => _storage.OpenRange(_offset, ByteLength);
}
