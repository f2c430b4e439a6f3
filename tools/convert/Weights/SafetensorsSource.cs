using Wan.Runtime.Weights;

namespace Wan.Convert.Weights;

/// <summary>A safetensors file or sharded checkpoint directory as an <see cref="IWeightSource"/> (memory-mapped, zero-copy).</summary>
public sealed unsafe class SafetensorsSource : IWeightSource
{
    private readonly SafetensorsCheckpoint _checkpoint;
    private readonly List<string> _names;

    public SafetensorsSource(SafetensorsCheckpoint checkpoint)
    {
        _checkpoint = checkpoint;
        _names = [.. checkpoint.Names.Order(StringComparer.Ordinal)];
    }

    public static SafetensorsSource Open(string path) => new(SafetensorsCheckpoint.Open(path));

    public string Location => _checkpoint.Location;
    public IReadOnlyList<string> Names => _names;
    public bool Contains(string name) => _checkpoint.Contains(name);

    public WeightInfo Describe(string name)
    {
        var t = _checkpoint.Get(name);
        return new WeightInfo(name, t.DType, t.Shape);
    }

    public Stream OpenRead(string name)
    {
        var t = _checkpoint.Get(name);
        return new UnmanagedMemoryStream(t.Pointer, t.Info.ByteLength);
    }

    public void Dispose() => _checkpoint.Dispose();
}
