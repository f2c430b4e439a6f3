using Wan.Runtime.Tensors;

namespace Wan.Runtime.Models.Vae;

/// <summary>
/// The per-stream state of a chunked VAE pass: for every causal layer, the last input frames it
/// needs as history for the next chunk (or just the fact that it has seen the first chunk).
/// Keyed by layer identity so one loaded model can run several streams; owns the frames it holds.
/// </summary>
internal sealed class FrameCache : IDisposable
{
    private readonly Dictionary<object, Tensor?> _entries = new(ReferenceEqualityComparer.Instance);

    public bool Contains(object layer) => _entries.ContainsKey(layer);

    public Tensor? Get(object layer) => _entries.GetValueOrDefault(layer);

    /// <summary>Replaces the layer's entry, disposing the frames it held before.</summary>
    public void Set(object layer, Tensor? frames)
    {
        if (_entries.TryGetValue(layer, out var old))
        {
            old?.Dispose();
        }
        _entries[layer] = frames;
    }

    public void Dispose()
    {
        foreach (var frames in _entries.Values)
        {
            frames?.Dispose();
        }
        _entries.Clear();
    }
}
