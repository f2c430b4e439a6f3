namespace Wan.Runtime.Models.Dit;

/// <summary>
/// The rolling self-attention K/V cache of a causal, chunk-by-chunk generation (Self-Forcing's
/// kv_cache, per layer): for every block, the keys (after the projection, before the Q/K RMSNorm and
/// RoPE, which are per row and are applied again with the frames' own positions) and values
/// [T, D] of the last frames generated. It keeps <see cref="SinkFrames"/> first frames for good and
/// the most recent frames up to <see cref="CapacityFrames"/> in all, evicting the oldest non-sink
/// frame first. A chunk's queries attend to the cached frames and to their own chunk.
/// </summary>
/// <remarks>
/// Self-Forcing's local_attn_size L (frames a query sees, its own chunk of n frames included)
/// corresponds to a capacity of L − n; its sink_size to <see cref="SinkFrames"/>. The cache is held in
/// host memory (fp32), one array per cached frame, layer and operand; every chunk forward uploads the
/// cached rows of each layer once: not yet a device-resident ring buffer.
/// </remarks>
public sealed class DitKvCache
{
    private readonly List<(float[] Keys, float[] Values)>[] _layers;
    private readonly List<int> _positions = [];
    private int _stored = -1;

    /// <summary>An empty cache for a DiT of <paramref name="layers"/> blocks.</summary>
    /// <exception cref="ArgumentException">a count is negative or the sinks do not fit.</exception>
    public DitKvCache(int layers, int capacityFrames, int sinkFrames = 0)
    {
        if (layers < 1 || capacityFrames < 1 || sinkFrames < 0 || sinkFrames >= capacityFrames)
        {
            throw new ArgumentException($"K/V cache: {layers} layers, capacity {capacityFrames} frames and {sinkFrames} sink frames (0 ≤ sinks < capacity) needed");
        }
        _layers = [.. Enumerable.Range(0, layers).Select(_ => new List<(float[], float[])>())];
        CapacityFrames = capacityFrames;
        SinkFrames = sinkFrames;
    }

    /// <summary>Most frames kept (sinks included).</summary>
    public int CapacityFrames { get; }

    /// <summary>First frames of the video never evicted.</summary>
    public int SinkFrames { get; }

    /// <summary>Video frame position of the next chunk (frames generated so far).</summary>
    public int NextFrame { get; private set; }

    /// <summary>Video frame positions of the cached frames, in cache order (oldest first).</summary>
    public IReadOnlyList<int> FramePositions => _positions;

    /// <summary>Layers of the DiT the cache belongs to.</summary>
    public int Layers => _layers.Length;

    /// <summary>The cached keys and values of <paramref name="layer"/>, frame after frame [cached·T, D] (empty arrays when nothing is cached).</summary>
    internal (float[] Keys, float[] Values) Gather(int layer)
    {
        var frames = _layers[layer];
        return ([.. frames.SelectMany(f => f.Keys)], [.. frames.SelectMany(f => f.Values)]);
    }

    /// <summary>Stores one layer's keys and values [n·T, D] of the chunk being generated (frames NextFrame .. NextFrame + n − 1).</summary>
    internal void Store(int layer, float[] keys, float[] values, int frames)
    {
        if (_stored >= 0 && _stored != frames)
        {
            throw new InvalidOperationException($"K/V cache: layer {layer} stores {frames} frames, the chunk has {_stored}");
        }
        _stored = frames;
        int per = keys.Length / frames;
        for (int f = 0; f < frames; f++)
        {
            _layers[layer].Add((keys.AsSpan(f * per, per).ToArray(), values.AsSpan(f * per, per).ToArray()));
        }
    }

    /// <summary>Ends a chunk: its frames join the cache (when they were stored) and the oldest non-sink frames beyond the capacity leave it.</summary>
    internal void Advance(int frames)
    {
        if (_stored >= 0)
        {
            if (_layers.Any(l => l.Count != _positions.Count + frames))
            {
                throw new InvalidOperationException("K/V cache: not every layer stored the chunk");
            }
            _positions.AddRange(Enumerable.Range(NextFrame, frames));
            while (_positions.Count > CapacityFrames)
            {
                _positions.RemoveAt(SinkFrames);
                foreach (var layer in _layers)
                {
                    layer.RemoveAt(SinkFrames);
                }
            }
        }
        _stored = -1;
        NextFrame += frames;
    }

    /// <summary>
    /// Whether a query of video frame <paramref name="queryFrame"/> in a chunk of <paramref name="chunkFrames"/>
    /// frames sees key frame <paramref name="keyFrame"/> under this cache's policy: its own chunk and the
    /// earlier frames the cache still holds when the chunk runs (the block-causal mask with a local window and sinks).
    /// </summary>
    public bool Sees(int queryFrame, int keyFrame, int chunkFrames)
    {
        int chunkStart = queryFrame / chunkFrames * chunkFrames;
        if (keyFrame >= chunkStart)
        {
            return keyFrame < chunkStart + chunkFrames;
        }
        return keyFrame < SinkFrames || keyFrame >= chunkStart - (CapacityFrames - SinkFrames) && keyFrame >= SinkFrames;
    }
}
