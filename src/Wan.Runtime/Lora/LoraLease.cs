namespace Wan.Runtime.Lora;

/// <summary>
/// The bindings of one request, pinned in their <see cref="LoraAdapters"/> cache until disposed (see
/// <see cref="LoraAdapters.Acquire"/>): a set evicted meanwhile is freed when its last lease ends.
/// </summary>
public sealed class LoraLease : IDisposable
{
    private readonly LoraAdapters _owner;
    private LoraAdapters.Entry? _entry;

    internal LoraLease(LoraAdapters owner, LoraAdapters.Entry? entry, ExpertAdapters adapters)
    {
        _owner = owner;
        _entry = entry;
        Adapters = adapters;
    }

    /// <summary>The per-expert bindings (both null for an empty set).</summary>
    public ExpertAdapters Adapters { get; }

    /// <summary>Unpins the bindings (idempotent).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _entry, null) is { } entry)
        {
            _owner.Release(entry);
        }
    }
}
