namespace Wan.Runtime.Weights;

/// <summary>
/// A named set of stored tensors: one safetensors file, a sharded checkpoint, a <c>.pth</c> state
/// dict, or a wrapper that transforms another source's tensors.
/// </summary>
public interface ITensorSource : IDisposable
{
    /// <summary>Where the tensors come from (a file or a directory), for error messages.</summary>
    string Location { get; }

    /// <summary>Every tensor name, in the source's documented order.</summary>
    IReadOnlyList<string> Names { get; }

    /// <summary>Whether a tensor of that name exists.</summary>
    bool Contains(string name);

    /// <summary>The stored tensor; throws <see cref="KeyNotFoundException"/> naming the location when missing.</summary>
    StoredTensor Get(string name);
}
