namespace Wan.Kernels.Device;

/// <summary>
/// Serialises a device while one thread captures a graph. A real stream capture records whatever
/// reaches the stream, from any thread, and a synchronous copy or wait from another thread invalidates
/// it; so while a capture is open, every operation of another thread is refused with
/// <see cref="CaptureInProgressException"/> (the capturing thread's own operations follow
/// <see cref="IDevice.Capture"/>). Operations run inside <see cref="Enter"/>, which holds the gate, so a
/// capture cannot begin in the middle of another thread's copy. Memory freed while the capture is open
/// (a finalizer, another thread) is freed when it ends: freeing memory may synchronise the device.
/// </summary>
internal sealed class CaptureGate
{
    private readonly object _lock = new();
    private readonly List<Action> _deferred = [];
    private int _owner;

    /// <summary>Frees waiting for the open capture to end.</summary>
    public int DeferredFrees
    {
        get
        {
            lock (_lock)
            {
                return _deferred.Count;
            }
        }
    }

    /// <summary>Whether the calling thread is the one capturing.</summary>
    public bool CapturesHere => Volatile.Read(ref _owner) == Environment.CurrentManagedThreadId;

    /// <summary>Opens the capture for the calling thread; throws when one is already open.</summary>
    public void Begin(string device)
    {
        lock (_lock)
        {
            if (_owner != 0)
            {
                throw new InvalidOperationException($"{device} is already capturing a graph (one capture at a time per device)");
            }
            _owner = Environment.CurrentManagedThreadId;
        }
    }

    /// <summary>Closes the capture and runs the frees deferred while it was open.</summary>
    public void End()
    {
        List<Action> frees;
        lock (_lock)
        {
            _owner = 0;
            frees = [.. _deferred];
            _deferred.Clear();
        }
        frees.ForEach(free => free());
    }

    /// <summary>
    /// Holds the gate for one device operation; throws <see cref="CaptureInProgressException"/> when
    /// another thread is capturing. Dispose the scope when the operation is done.
    /// </summary>
    public Scope Enter(string operation, string device)
    {
        Monitor.Enter(_lock);
        var owner = _owner;
        if (owner != 0 && owner != Environment.CurrentManagedThreadId)
        {
            Monitor.Exit(_lock);
            throw new CaptureInProgressException(operation, device, owner);
        }
        return new Scope(_lock);
    }

    /// <summary>Queues <paramref name="free"/> when a capture is open (returns true), else returns false.</summary>
    public bool TryDefer(Action free)
    {
        lock (_lock)
        {
            if (_owner == 0)
            {
                return false;
            }
            _deferred.Add(free);
            return true;
        }
    }

    /// <summary>The held gate of one operation.</summary>
    public readonly struct Scope(object held) : IDisposable
    {
        public void Dispose() => Monitor.Exit(held);
    }
}
