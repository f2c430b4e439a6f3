using Wan.Runtime.Backends;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Models.Dit;

/// <summary>
/// The rolling self-attention K/V cache of a causal, chunk-by-chunk generation (Self-Forcing's
/// kv_cache, per layer): for every block, the keys (after the projection, before the Q/K RMSNorm and
/// RoPE, which are per row and are applied again at the frames' own positions) and values of the last
/// frames generated. It keeps <see cref="SinkFrames"/> first frames for good and the most recent frames
/// up to <see cref="CapacityFrames"/> in all, evicting the oldest non-sink frame first. A chunk's queries
/// attend to the cached frames and to their own chunk.
/// </summary>
/// <remarks>
/// A ring buffer in the DiT backend's memory: per layer one keys and one values tensor
/// [CapacityFrames·T, D] in the storage type (T tokens per frame), allocated at the first store; a new
/// frame takes the next free slot, then the slot of the frame it evicts. Everything stays on the device
/// (<see cref="IRoutingOps"/> row copies): no host round trip per chunk. Slots are not in time order
/// once frames are evicted; the keys' RoPE positions follow the slots (<see cref="SlotPositions"/>), and
/// attention does not depend on the order of its keys (up to fp32 rounding of the softmax sums).
/// Self-Forcing's local_attn_size L (frames a query sees, its own chunk of n frames included)
/// corresponds to a capacity of L − n; its sink_size to <see cref="SinkFrames"/>.
/// </remarks>
public sealed class DitKvCache : IDisposable
{
    private readonly (Tensor Keys, Tensor Values)?[] _rings;
    private readonly int[] _slots; // video frame held by each slot, −1 when free
    private int _filled;
    private (int Frames, int[] FrameOfSlot, bool[] Stored)? _pending;

    /// <summary>An empty cache for a DiT of <paramref name="layers"/> blocks.</summary>
    /// <exception cref="ArgumentException">a count is negative or the sinks do not fit.</exception>
    public DitKvCache(int layers, int capacityFrames, int sinkFrames = 0)
    {
        if (layers < 1 || capacityFrames < 1 || sinkFrames < 0 || sinkFrames >= capacityFrames)
        {
            throw new ArgumentException($"K/V cache: {layers} layers, capacity {capacityFrames} frames and {sinkFrames} sink frames (0 ≤ sinks < capacity) needed");
        }
        _rings = new (Tensor, Tensor)?[layers];
        _slots = [.. Enumerable.Repeat(-1, capacityFrames)];
        CapacityFrames = capacityFrames;
        SinkFrames = sinkFrames;
    }

    /// <summary>Most frames kept (sinks included).</summary>
    public int CapacityFrames { get; }

    /// <summary>First frames of the video never evicted.</summary>
    public int SinkFrames { get; }

    /// <summary>Video frame position of the next chunk (frames generated so far).</summary>
    public int NextFrame { get; private set; }

    /// <summary>Video frame positions of the cached frames, oldest first.</summary>
    public IReadOnlyList<int> FramePositions => [.. SlotPositions.Order()];

    /// <summary>Video frame positions of the cached frames in slot order: the order of the cached keys in attention.</summary>
    internal IReadOnlyList<int> SlotPositions => _slots.AsSpan(0, _filled).ToArray();

    /// <summary>Layers of the DiT the cache belongs to.</summary>
    public int Layers => _rings.Length;

    /// <summary>
    /// The cached rows of <paramref name="layer"/> (slot order) followed by the chunk's own [cached·T + n·T, D] (keys before
    /// norm and RoPE, or values), on the device; null when nothing is cached (the own rows are all there is).
    /// </summary>
    internal Tensor? WithCached(IRoutingOps b, int layer, Tensor own, bool keys)
    {
        if (_filled == 0 || _rings[layer] is not { } ring)
        {
            return null;
        }
        int rowsPerFrame = ring.Keys.Shape[0] / CapacityFrames;
        using var cached = b.SliceRows(keys ? ring.Keys : ring.Values, 0, _filled * rowsPerFrame);
        return b.ConcatRows([cached, own]);
    }

    /// <summary>
    /// Stores one layer's keys and values [n·T, D] of the chunk being generated (frames NextFrame .. NextFrame + n − 1) into the
    /// slots they will hold after <see cref="Advance"/>, on the device.
    /// </summary>
    /// <exception cref="InvalidOperationException">the layers of one chunk store different frame counts.</exception>
    internal void Store(IRoutingOps b, int layer, Tensor keys, Tensor values, int frames)
    {
        var (pendingFrames, frameOfSlot, stored) = _pending ??= Plan(frames);
        if (pendingFrames != frames)
        {
            throw new InvalidOperationException($"K/V cache: layer {layer} stores {frames} frames, the chunk has {pendingFrames}");
        }
        int rowsPerFrame = keys.Shape[0] / frames, width = keys.Shape[1];
        if (_rings[layer] is not { } ring)
        {
            // Slots not yet written hold copies of the first chunk's rows: they are never read (only the filled slots are).
            using var fill = b.UploadRowIndex([.. Enumerable.Range(0, CapacityFrames * rowsPerFrame).Select(r => r % keys.Shape[0])], keys.Shape[0]);
            ring = (b.GatherRows(keys, fill), b.GatherRows(values, fill));
            _rings[layer] = ring;
        }
        if (ring.Keys.Shape != new Shape(CapacityFrames * rowsPerFrame, width))
        {
            throw new InvalidOperationException($"K/V cache: layer {layer} stores rows {keys.Shape} for {frames} frames, its ring is {ring.Keys.Shape}");
        }
        var sources = new List<int>();
        var targets = new List<int>();
        for (int slot = 0; slot < CapacityFrames; slot++)
        {
            if (frameOfSlot[slot] >= 0)
            {
                sources.AddRange(Enumerable.Range(frameOfSlot[slot] * rowsPerFrame, rowsPerFrame));
                targets.AddRange(Enumerable.Range(slot * rowsPerFrame, rowsPerFrame));
            }
        }
        if (sources.Count > 0)
        {
            using var pick = b.UploadRowIndex([.. sources], keys.Shape[0]);
            using var into = b.UploadRowIndex([.. targets], ring.Keys.Shape[0]);
            using var newKeys = b.GatherRows(keys, pick);
            using var newValues = b.GatherRows(values, pick);
            b.ScatterRowsInPlace(ring.Keys, newKeys, into);
            b.ScatterRowsInPlace(ring.Values, newValues, into);
        }
        stored[layer] = true;
    }

    /// <summary>Where the n frames of the next chunk go: per slot, the chunk frame written there (−1: the slot keeps its frame).</summary>
    private (int, int[], bool[]) Plan(int frames)
    {
        var slots = (int[])_slots.Clone();
        var frameOfSlot = Enumerable.Repeat(-1, CapacityFrames).ToArray();
        int filled = _filled;
        for (int f = 0; f < frames; f++)
        {
            int slot = filled < CapacityFrames ? filled++ : OldestNonSink(slots);
            slots[slot] = NextFrame + f;
            frameOfSlot[slot] = f;
        }
        return (frames, frameOfSlot, new bool[_rings.Length]);
    }

    private int OldestNonSink(int[] slots)
    {
        int victim = -1;
        for (int s = 0; s < slots.Length; s++)
        {
            if (slots[s] >= SinkFrames && (victim < 0 || slots[s] < slots[victim]))
            {
                victim = s;
            }
        }
        return victim;
    }

    /// <summary>Ends a chunk: its frames join the cache (when they were stored) and the oldest non-sink frames beyond the capacity leave it.</summary>
    /// <exception cref="InvalidOperationException">some layers stored the chunk and others did not.</exception>
    internal void Advance(int frames)
    {
        if (_pending is { } pending)
        {
            if (pending.Stored.Any(s => !s))
            {
                throw new InvalidOperationException("K/V cache: not every layer stored the chunk");
            }
            for (int slot = 0; slot < CapacityFrames; slot++)
            {
                if (pending.FrameOfSlot[slot] >= 0)
                {
                    _slots[slot] = NextFrame + pending.FrameOfSlot[slot];
                }
            }
            _filled = Math.Min(CapacityFrames, _filled + frames);
        }
        _pending = null;
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

    /// <summary>Frees the ring buffers on the device.</summary>
    public void Dispose()
    {
        for (int i = 0; i < _rings.Length; i++)
        {
            if (_rings[i] is { } ring)
            {
                ring.Keys.Dispose();
                ring.Values.Dispose();
                _rings[i] = null;
            }
        }
    }
}
