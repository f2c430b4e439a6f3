using Wan.Runtime.Models.Dit;

namespace Wan.Runtime.Lora;

/// <summary>
/// Resolves LoRA sets into per-expert bindings for one loaded model and caches them, so that switching
/// styles between requests reloads no base weight. Rule of <see cref="LoraMode.Auto"/>: on the CPU backend
/// always unmerged (a merged weight is an fp32 copy, 4 bytes per parameter next to the mapped base: it
/// would break the memory bound of mapped weights), and so with streamed DiT blocks (a merged copy would be resident;
/// an explicit merged mode is refused there); on other backends merged when <see cref="SingleRequest"/>
/// (one generation: the merge is paid once and every step runs at base speed), when the set has been asked
/// for <see cref="AutoMergeAfter"/> times in a row, or when its merge is already cached; otherwise unmerged
/// (a service with changing styles pays two skinny GEMMs per adapted linear instead of a full-weight merge
/// per switch). An explicit mode is always obeyed. Merged bindings cost one copy of every adapted weight, so
/// only the <see cref="MergedCapacity"/> most recent merged sets are kept; unmerged ones (small factors)
/// up to <see cref="UnmergedCapacity"/>. An evicted binding is disposed at once unless a request holds it
/// through <see cref="Acquire"/>; then it is disposed when the last such lease ends, so concurrent requests
/// with different sets are safe. Thread-safe.
/// </summary>
public sealed class LoraAdapters(WanTransformer high, WanTransformer? low) : IDisposable
{
    /// <summary>Consecutive requests with the same set after which <see cref="LoraMode.Auto"/> merges.</summary>
    public const int AutoMergeAfter = 3;

    /// <summary>Merged sets kept.</summary>
    public const int MergedCapacity = 1;

    /// <summary>Unmerged sets kept.</summary>
    public const int UnmergedCapacity = 8;

    private readonly Lock _lock = new();
    private readonly List<Entry> _merged = [];
    private readonly List<Entry> _unmerged = [];
    private string? _lastKey;
    private int _consecutive;

    /// <summary>Whether this model serves a single request: <see cref="LoraMode.Auto"/> then merges at once (not on the CPU backend).</summary>
    public bool SingleRequest { get; set; }

    /// <summary>Bindings built so far (cache misses), for diagnostics and tests.</summary>
    public int BindingsBuilt { get; private set; }

    /// <summary>
    /// The bindings of <paramref name="set"/> in <paramref name="mode"/> (Auto resolved by the rule above),
    /// from the cache or built now. An empty set gives bindings that are both null. They stay valid until
    /// evicted by later sets; a request that may overlap others should use <see cref="Acquire"/>.
    /// </summary>
    /// <exception cref="LoraFormatException">A file of the set is missing, unrecognised or does not fit the model.</exception>
    public ExpertAdapters Resolve(LoraSet set, LoraMode mode = LoraMode.Auto)
    {
        lock (_lock)
        {
            return Find(set, mode)?.Adapters ?? Empty;
        }
    }

    /// <summary>
    /// As <see cref="Resolve"/>, and pins the bindings until the returned lease is disposed: eviction meanwhile
    /// defers their disposal to the end of the lease.
    /// </summary>
    /// <exception cref="LoraFormatException">A file of the set is missing, unrecognised or does not fit the model.</exception>
    public LoraLease Acquire(LoraSet set, LoraMode mode = LoraMode.Auto)
    {
        lock (_lock)
        {
            var entry = Find(set, mode);
            if (entry is null)
            {
                return new LoraLease(this, null, Empty);
            }
            entry.Pins++;
            return new LoraLease(this, entry, entry.Adapters);
        }
    }

    private static readonly ExpertAdapters Empty = new(null, null, LoraMode.Unmerged);

    /// <summary>Ends a lease: disposes the bindings when they were evicted and this was the last pin.</summary>
    internal void Release(Entry entry)
    {
        lock (_lock)
        {
            if (--entry.Pins == 0 && entry.Evicted)
            {
                Dispose(entry.Adapters);
            }
        }
    }

    private Entry? Find(LoraSet set, LoraMode mode)
    {
        ArgumentNullException.ThrowIfNull(set);
        _consecutive = set.Key == _lastKey ? _consecutive + 1 : 1;
        _lastKey = set.Key;
        if (set.IsEmpty)
        {
            return null;
        }
        var resolved = mode != LoraMode.Auto ? mode
            : high.Backend is not Backends.Cpu.CpuBackend && !high.IsStreamed
              && (SingleRequest || _consecutive >= AutoMergeAfter || _merged.Any(m => m.Key == set.Key)) ? LoraMode.Merged
            : LoraMode.Unmerged;
        var cache = resolved == LoraMode.Merged ? _merged : _unmerged;
        int hit = cache.FindIndex(c => c.Key == set.Key);
        if (hit >= 0)
        {
            var found = cache[hit];
            cache.RemoveAt(hit);
            cache.Add(found);
            return found;
        }
        var entry = new Entry(set.Key, Build(set, resolved));
        cache.Add(entry);
        while (cache.Count > (resolved == LoraMode.Merged ? MergedCapacity : UnmergedCapacity))
        {
            var evicted = cache[0];
            cache.RemoveAt(0);
            evicted.Evicted = true;
            if (evicted.Pins == 0)
            {
                Dispose(evicted.Adapters);
            }
        }
        return entry;
    }

    private ExpertAdapters Build(LoraSet set, LoraMode mode)
    {
        var highSpecs = low is null ? set.Specs : set.For(LoraExpert.High);
        var lowSpecs = low is null ? [] : set.For(LoraExpert.Low);
        var highBinding = highSpecs.Count > 0 ? LoraBinding.Create(high, highSpecs, set.Semantics, mode) : null;
        try
        {
            var lowBinding = low is not null && lowSpecs.Count > 0 ? LoraBinding.Create(low, lowSpecs, set.Semantics, mode) : null;
            BindingsBuilt += (highBinding is null ? 0 : 1) + (lowBinding is null ? 0 : 1);
            return new ExpertAdapters(highBinding, lowBinding, mode);
        }
        catch
        {
            highBinding?.Dispose();
            throw;
        }
    }

    private static void Dispose(ExpertAdapters adapters)
    {
        adapters.High?.Dispose();
        adapters.Low?.Dispose();
    }

    /// <summary>Disposes every cached binding.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var entry in _merged.Concat(_unmerged))
            {
                Dispose(entry.Adapters);
            }
            _merged.Clear();
            _unmerged.Clear();
        }
    }

    /// <summary>A cached set: its bindings, how many leases pin them, whether the cache has dropped them.</summary>
    internal sealed class Entry(string key, ExpertAdapters adapters)
    {
        public string Key { get; } = key;
        public ExpertAdapters Adapters { get; } = adapters;
        public int Pins { get; set; }
        public bool Evicted { get; set; }
    }
}
