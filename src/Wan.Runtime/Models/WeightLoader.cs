using Wan.Runtime.Backends;
using Wan.Runtime.Tensors;
using Wan.Runtime.Weights;

namespace Wan.Runtime.Models;

/// <summary>Loads named weights onto a backend, checking each one's shape against what the model expects.</summary>
public sealed class WeightLoader(IBackend backend, ITensorSource source)
{
    public IBackend Backend { get; } = backend;
    public ITensorSource Source { get; } = source;

    public Tensor Load(string name, params int[] expectedShape)
    {
        if (!Source.Contains(name))
        {
            throw new InvalidDataException($"{Source.Location}: missing weight '{name}'");
        }
        var view = Source.Get(name);
        var expected = new Shape(expectedShape);
        if (view.Shape != expected)
        {
            throw new InvalidDataException($"{Source.Location}: weight '{name}' has shape {view.Shape}, the config expects {expected}");
        }
        return Backend.LoadWeight(view);
    }

    /// <summary>
    /// A weight stored with extra unit dimensions (e.g. modulation [1, 6, D]) loaded in the shape the
    /// model uses; the reshaped view keeps the storage alive on every backend, so the loaded tensor is released.
    /// </summary>
    public Tensor LoadReshaped(string name, Shape stored, Shape wanted)
    {
        using var storedTensor = Load(name, stored.ToArray());
        return Backend.Reshape(storedTensor, wanted);
    }
}
