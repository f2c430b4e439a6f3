using Wan.Runtime.Tensors;
using Wan.Runtime.Weights;

namespace Wan.Runtime.Planning;

/// <summary>
/// A weight source of shape-only BF16 tensors (<see cref="ShapeOnlyTensor"/>): names and shapes with no file and no
/// byte, what a dry run loads a full-size model from. Subclasses list a model's weights in its checkpoint's order.
/// </summary>
internal abstract class ShapeOnlyWeights(string location) : ITensorSource
{
    private readonly Dictionary<string, StoredTensor> _tensors = new(StringComparer.Ordinal);
    private readonly List<string> _names = [];

    /// <inheritdoc/>
    public string Location { get; } = location;

    /// <inheritdoc/>
    public IReadOnlyList<string> Names => _names;

    /// <summary>Bytes the weights take in BF16.</summary>
    public long Bytes => _tensors.Values.Sum(t => t.ByteLength);

    /// <inheritdoc/>
    public bool Contains(string name) => _tensors.ContainsKey(name);

    /// <inheritdoc/>
    public StoredTensor Get(string name) =>
        _tensors.TryGetValue(name, out var tensor) ? tensor : throw new KeyNotFoundException($"{Location}: no tensor '{name}'");

    /// <summary>Nothing to release.</summary>
    public void Dispose() { }

    /// <summary>Adds a BF16 tensor of that shape.</summary>
    protected void Add(string name, params int[] shape)
    {
        _tensors.Add(name, new ShapeOnlyTensor(name, DType.BF16, new Shape(shape), Location));
        _names.Add(name);
    }
}
