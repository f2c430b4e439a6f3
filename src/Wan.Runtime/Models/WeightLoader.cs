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

    /// <summary>A [D] vector stored with extra unit dimensions (e.g. modulation [1, 6, D]) loads as its stored shape.</summary>
    public Tensor LoadReshaped(string name, Shape stored, Shape wanted)
    {
        var t = Load(name, stored.ToArray());
        return Backend.Reshape(t, wanted);
    }
}
