namespace Wan.Convert.Weights;

/// <summary>
/// Tensors in any container the converter reads (safetensors, sharded safetensors, .pth), exposed as
/// raw little-endian byte streams so that conversion never needs a whole model in memory.
/// </summary>
public interface IWeightSource : IDisposable
{
    /// <summary>The file or directory, for messages.</summary>
    string Location { get; }

    /// <summary>Tensor names in storage order.</summary>
    IReadOnlyList<string> Names { get; }

    bool Contains(string name);

    /// <summary>The tensor's dtype and shape; <see cref="KeyNotFoundException"/> naming the location when missing.</summary>
    WeightInfo Describe(string name);

    /// <summary>A read-only stream of exactly the tensor's bytes.</summary>
    Stream OpenRead(string name);
}
