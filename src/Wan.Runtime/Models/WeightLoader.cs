using Wan.Runtime.Backends;
using Wan.Runtime.Tensors;
using Wan.Runtime.Weights;
using Wan.Runtime.Weights.Transforms;

namespace Wan.Runtime.Models;

/// <summary>
/// Loads a component's named weights onto a backend: each one checked for presence, float dtype and
/// the shape the config implies (errors name the checkpoint, the component and the weight), fp8
/// weights dequantized with their stored scales, and every tensor remembered so that a load that
/// fails half-way — or a model that owns all its weights through the loader — can release them.
/// </summary>
public sealed class WeightLoader(IBackend backend, ITensorSource source, string component) : IDisposable
{
    private readonly List<Tensor> _loaded = [];

    /// <summary>The backend weights are loaded into.</summary>
    public IBackend Backend { get; } = backend;

    /// <summary>The checkpoint they are read from.</summary>
    public ITensorSource Source { get; } = source;

    /// <summary>
    /// Where a checked weight goes instead of <see cref="IBackend.LoadWeight"/>, or null: the streamed DiT places its
    /// block weights as views at fixed offsets of a block slot (Models/Dit/StreamedBlocks.cs) and uploads them per forward.
    /// </summary>
    internal Func<StoredTensor, Tensor>? Place { get; init; }

    /// <summary>The stored tensor, after checking that it exists, is a float type and has the expected shape.</summary>
    public StoredTensor View(string name, params int[] expectedShape)
    {
        if (!Source.Contains(name))
        {
            throw new InvalidDataException($"{Source.Location}: {component} weight '{name}' is missing");
        }
        var view = Source.Get(name);
        var expected = new Shape(expectedShape);
        if (view.Shape != expected)
        {
            throw new InvalidDataException($"{Source.Location}: {component} weight '{name}' has shape {view.Shape}, the config expects {expected}");
        }
        if (!view.DType.IsFloat())
        {
            throw new InvalidDataException($"{Source.Location}: {component} weight '{name}' has dtype {view.DType}, expected a float type");
        }
        return view;
    }

    /// <summary>The weight, checked and loaded into the backend (fp8: dequantized with its scale).</summary>
    public Tensor Load(string name, params int[] expectedShape)
    {
        var view = View(name, expectedShape);
        var stored = ScaledFp8.IsFp8(view.DType) ? new Fp8DequantizedTensor(view) : view;
        return Own(Place is null ? Backend.LoadWeight(stored) : Place(stored));
    }

    /// <summary>
    /// A weight stored with extra unit dimensions (e.g. modulation [1, 6, D]) loaded in the shape the
    /// model uses; the reshaped view keeps the storage alive on every backend.
    /// </summary>
    public Tensor LoadReshaped(string name, Shape stored, Shape wanted)
    {
        var storedTensor = Load(name, stored.ToArray());
        _loaded.Remove(storedTensor);
        using (storedTensor)
        {
            return Own(Backend.Reshape(storedTensor, wanted));
        }
    }

    /// <summary>Takes ownership of a tensor built at load time (e.g. scaling constants).</summary>
    public Tensor Own(Tensor t)
    {
        _loaded.Add(t);
        return t;
    }

    /// <summary>Bytes of every tensor loaded or owned so far, in the backend's storage dtype (element count × dtype size).</summary>
    public long LoadedBytes => _loaded.Aggregate(0L, (sum, t) => checked(sum + t.ElementCount * t.DType.SizeOf()));

    /// <summary>Releases every tensor loaded or owned through this loader.</summary>
    public void Dispose()
    {
        foreach (var t in _loaded)
        {
            t.Dispose();
        }
        _loaded.Clear();
    }
}
