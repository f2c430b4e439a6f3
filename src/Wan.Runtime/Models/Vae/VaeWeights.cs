using Wan.Runtime.Backends;
using Wan.Runtime.Tensors;
using Wan.Runtime.Weights;

namespace Wan.Runtime.Models.Vae;

/// <summary>Loads VAE weights with their expected shapes checked, and owns every tensor it loaded.</summary>
internal sealed class VaeWeights(IBackend backend, ITensorSource source) : IDisposable
{
    private readonly List<Tensor> _owned = [];

    public IBackend Backend => backend;

    public Tensor Load(string name, params int[] shape)
    {
        if (!source.Contains(name))
        {
            throw new InvalidDataException($"{source.Location}: VAE weight '{name}' is missing");
        }
        var stored = source.Get(name);
        var expected = new Shape(shape);
        if (stored.Shape != expected)
        {
            throw new InvalidDataException($"{source.Location}: VAE weight '{name}' has shape {stored.Shape}, expected {expected}");
        }
        return Own(backend.LoadWeight(stored));
    }

    /// <summary>Takes ownership of a tensor built at load time (e.g. the latent scaling constants).</summary>
    public Tensor Own(Tensor t)
    {
        _owned.Add(t);
        return t;
    }

    public void Dispose()
    {
        foreach (var t in _owned)
        {
            t.Dispose();
        }
        _owned.Clear();
    }
}
