namespace Wan.Runtime.Weights;

/// <summary>A named set of tensors: one safetensors file or a sharded checkpoint.</summary>
public interface ITensorSource : IDisposable
{
    /// <summary>Where the tensors come from (a file or a directory), for error messages.</summary>
    string Location { get; }
    IEnumerable<string> Names { get; }
    bool Contains(string name);

    /// <summary>The tensor's view; throws <see cref="KeyNotFoundException"/> naming the location when missing.</summary>
    SafetensorsTensor Get(string name);
}
