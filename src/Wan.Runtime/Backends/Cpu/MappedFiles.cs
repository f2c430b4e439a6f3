using Wan.Runtime.Weights;

namespace Wan.Runtime.Backends.Cpu;

/// <summary>
/// The safetensors files a CPU backend maps for its weights, opened by the backend itself so that
/// weights stay valid after the model closes its checkpoint. Each file is reference counted by the
/// mapped tensors that use it and unmapped when the last one is disposed (or with the backend).
/// </summary>
internal sealed class MappedFiles : IDisposable
{
    private readonly Dictionary<string, Entry> _open = new(StringComparer.Ordinal);
    private bool _disposed;

    /// <summary>A counted reference to one mapped file; <see cref="Release"/> once per acquire.</summary>
    internal sealed class Entry(MappedFiles owner, string path, SafetensorsFile file)
    {
        internal int References;
        public SafetensorsFile File { get; } = file;
        public string Path { get; } = path;

        public Entry AddReference()
        {
            lock (owner._open)
            {
                ObjectDisposedException.ThrowIf(owner._disposed, owner);
                References++;
                return this;
            }
        }

        public void Release() => owner.Release(this);
    }

    /// <summary>The backend's own mapping of <paramref name="source"/>'s file, with one reference taken.</summary>
    public (Entry Entry, SafetensorsTensor View) Acquire(SafetensorsTensor source)
    {
        var path = System.IO.Path.GetFullPath(source.FilePath);
        Entry entry;
        lock (_open)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_open.TryGetValue(path, out var found))
            {
                found = new Entry(this, path, SafetensorsFile.Open(path));
                _open.Add(path, found);
            }
            found.References++;
            entry = found;
        }
        try
        {
            var info = entry.File.Contains(source.Name) ? entry.File.Info(source.Name) : null;
            if (info != source.Info)
            {
                throw new InvalidDataException($"{path}: weight '{source.Name}' changed on disk while it was being loaded (reopened file differs)");
            }
            return (entry, entry.File.Get(source.Name));
        }
        catch
        {
            entry.Release();
            throw;
        }
    }

    private void Release(Entry entry)
    {
        lock (_open)
        {
            if (--entry.References > 0 || _disposed)
            {
                return;
            }
            _open.Remove(entry.Path);
        }
        entry.File.Dispose();
    }

    public void Dispose()
    {
        List<Entry> entries;
        lock (_open)
        {
            _disposed = true;
            entries = [.. _open.Values];
            _open.Clear();
        }
        foreach (var e in entries)
        {
            e.File.Dispose();
        }
    }
}
