using Wan.Runtime.Tensors;
using Wan.Runtime.Weights;
using Wan.Runtime.Weights.Storage;

namespace Wan.Runtime.Planning;

/// <summary>
/// A stored tensor with a name, dtype and shape and no bytes: what a dry run loads (the
/// <see cref="Wan.Kernels.Device.DryRunDevice"/> allocates the weight and reads nothing). Reading it throws.
/// </summary>
internal sealed class ShapeOnlyTensor(string name, DType dtype, Shape shape, string location)
    : StoredTensor(name, dtype, shape, location, null)
{
    /// <exception cref="InvalidOperationException">always: a shape-only tensor has no bytes.</exception>
    public override StoredBytes Acquire() => throw NoBytes();

    /// <exception cref="InvalidOperationException">always: a shape-only tensor has no bytes.</exception>
    public override Stream OpenRead() => throw NoBytes();

    private InvalidOperationException NoBytes() =>
        new($"{Location}: '{Name}' is a shape-only tensor (a dry run's weight): it has no bytes to read");
}
