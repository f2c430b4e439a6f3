using Wan.Runtime.Models.Dit;

namespace Wan.Runtime.Lora;

/// <summary>
/// Resolves LoRA sets into per-expert bindings for one loaded model and caches them, so that switching
/// styles between requests reloads no base weight. Rule of <see cref="LoraMode.Auto"/>: merged when
/// <see cref="SingleRequest"/> (a CLI run: the merge is paid once and every step runs at base speed), when
/// the set has been asked for <see cref="AutoMergeAfter"/> times in a row, or when its merge is already
/// cached; otherwise unmerged (a service with changing styles pays two skinny GEMMs per adapted linear
/// instead of a full-weight merge per switch). Merged bindings cost one copy of every adapted weight, so
/// only the <see cref="MergedCapacity"/> most recent merged sets are kept; unmerged ones (small factors)
/// up to <see cref="UnmergedCapacity"/>. Evicted bindings are disposed: a caller running requests
/// concurrently with different sets should ask for <see cref="LoraMode.Unmerged"/> explicitly. Thread-safe.
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
    private readonly List<(string Key, ExpertAdapters Adapters)> _merged = [];
    private readonly List<(string Key, ExpertAdapters Adapters)> _unmerged = [];
    private string? _lastKey;
    private int _consecutive;

    /// <summary>Whether this model serves a single request (CLI): <see cref="LoraMode.Auto"/> then merges at once.</summary>
    public bool SingleRequest { get; set; }

    /// <summary>Bindings built so far (cache misses), for diagnostics and tests.</summary>
    public int BindingsBuilt { get; private set; }

    /// <summary>
    /// The bindings of <paramref name="set"/> in <paramref name="mode"/> (Auto resolved by the rule above),
    /// from the cache or built now. An empty set gives bindings that are both null.
    /// </summary>
    /// <exception cref="LoraFormatException">A file of the set is missing, unrecognised or does not fit the model.</exception>
    public ExpertAdapters Resolve(LoraSet set, LoraMode mode = LoraMode.Auto)
    {
        ArgumentNullException.ThrowIfNull(set);
        lock (_lock)
        {
            _consecutive = set.Key == _lastKey ? _consecutive + 1 : 1;
            _lastKey = set.Key;
            if (set.IsEmpty)
            {
                return new ExpertAdapters(null, null, LoraMode.Unmerged);
            }
            var resolved = mode != LoraMode.Auto ? mode
                : SingleRequest || _consecutive >= AutoMergeAfter || _merged.Any(m => m.Key == set.Key) ? LoraMode.Merged
                : LoraMode.Unmerged;
            var cache = resolved == LoraMode.Merged ? _merged : _unmerged;
            int hit = cache.FindIndex(c => c.Key == set.Key);
            if (hit >= 0)
            {
                var entry = cache[hit];
                cache.RemoveAt(hit);
                cache.Add(entry);
                return entry.Adapters;
            }
            var adapters = Build(set, resolved);
            cache.Add((set.Key, adapters));
            while (cache.Count > (resolved == LoraMode.Merged ? MergedCapacity : UnmergedCapacity))
            {
                Release(cache[0].Adapters);
                cache.RemoveAt(0);
            }
            return adapters;
        }
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

    private static void Release(ExpertAdapters adapters)
    {
        adapters.High?.Dispose();
        adapters.Low?.Dispose();
    }

    /// <summary>Disposes every cached binding.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var (_, a) in _merged.Concat(_unmerged))
            {
                Release(a);
            }
            _merged.Clear();
            _unmerged.Clear();
        }
    }
}
