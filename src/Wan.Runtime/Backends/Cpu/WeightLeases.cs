using Wan.Runtime.Weights.Storage;

namespace Wan.Runtime.Backends.Cpu;

/// <summary>
/// The stored-byte leases a CPU backend's mapped weights hold (see <see cref="StoredBytes"/>): each
/// keeps its storage — usually a mapped safetensors file — alive after the checkpoint that opened it is
/// closed. A weight returns its lease when disposed; the backend's disposal returns every lease still held.
/// </summary>
internal sealed class WeightLeases : IDisposable
{
    private readonly HashSet<StoredBytes> _held = new(ReferenceEqualityComparer.Instance);
    private bool _disposed;

    /// <summary>Takes ownership of <paramref name="lease"/>; throws <see cref="ObjectDisposedException"/> (and disposes it) after the backend is disposed.</summary>
    public StoredBytes Hold(StoredBytes lease)
    {
        lock (_held)
        {
            if (!_disposed)
            {
                _held.Add(lease);
                return lease;
            }
        }
        lease.Dispose();
        throw new ObjectDisposedException(nameof(CpuBackend));
    }

    /// <summary>Returns a lease taken by <see cref="Hold"/> (once; later calls do nothing).</summary>
    public void Return(StoredBytes lease)
    {
        lock (_held)
        {
            _held.Remove(lease);
        }
        lease.Dispose();
    }

    public void Dispose()
    {
        List<StoredBytes> held;
        lock (_held)
        {
            _disposed = true;
            held = [.. _held];
            _held.Clear();
        }
        foreach (var lease in held)
        {
            lease.Dispose();
        }
    }
}
