using Wan.Runtime.Backends;
using Wan.Runtime.Tensors;
using Wan.Runtime.Weights;

namespace Wan.Runtime.Models.Umt5;

/// <summary>
/// Loads named umT5 weights into a backend after checking their shapes, and remembers every tensor
/// it created so that a load that fails half-way can release them all.
/// </summary>
internal sealed class Umt5WeightLoader(IBackend backend, ITensorSource source)
{
    private readonly List<Tensor> _loaded = [];

    public IBackend Backend => backend;

    /// <summary>The stored tensor's view, after checking that it exists and has the expected shape.</summary>
    public SafetensorsTensor View(string name, params int[] shape)
    {
        if (!source.Contains(name))
        {
            throw new InvalidDataException($"{source.Location}: umT5 weight '{name}' is missing");
        }
        var tensor = source.Get(name);
        var expected = new Shape(shape);
        if (tensor.Shape != expected)
        {
            throw new InvalidDataException($"{source.Location}: umT5 weight '{name}' has shape {tensor.Shape}, expected {expected} (from config.json)");
        }
        if (!tensor.DType.IsFloat())
        {
            throw new InvalidDataException($"{source.Location}: umT5 weight '{name}' has dtype {tensor.DType}, expected a float type");
        }
        return tensor;
    }

    /// <summary>The weight, checked and loaded into the backend.</summary>
    public Tensor Load(string name, params int[] shape)
    {
        var tensor = Backend.LoadWeight(View(name, shape));
        _loaded.Add(tensor);
        return tensor;
    }

    /// <summary>Frees every tensor loaded so far (used when the load as a whole fails).</summary>
    public void DisposeLoaded()
    {
        foreach (var t in _loaded)
        {
            t.Dispose();
        }
        _loaded.Clear();
    }
}
