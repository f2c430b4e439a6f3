using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;

namespace Wan.Runtime.Weights;

/// <summary>
/// A safetensors file mapped read-only into memory. Tensors are views into the mapping: nothing is
/// copied until a consumer converts a tensor. The header is fully validated on open.
/// </summary>
public sealed unsafe class SafetensorsFile : IDisposable
{
    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private readonly byte* _base;
    private readonly long _dataStart;
    private readonly Dictionary<string, TensorInfo> _tensors;
    private int _disposed;

    private SafetensorsFile(string path, MemoryMappedFile? map, MemoryMappedViewAccessor? view, byte* basePtr,
        long dataStart, Dictionary<string, TensorInfo> tensors, Dictionary<string, string> metadata)
    {
        Path = path;
        _map = map;
        _view = view;
        _base = basePtr;
        _dataStart = dataStart;
        _tensors = tensors;
        Metadata = metadata;
    }

    public string Path { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }
    public IReadOnlyCollection<TensorInfo> Tensors => _tensors.Values;
    public IEnumerable<string> Names => _tensors.Keys;

    public static SafetensorsFile Open(string path)
    {
        var length = new FileInfo(path) is { Exists: true } fi
            ? fi.Length
            : throw new FileNotFoundException($"{path}: safetensors file not found", path);
        if (length < 8)
        {
            throw new SafetensorsFormatException(path, $"truncated: {length} bytes, shorter than the 8-byte header length");
        }

        var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        MemoryMappedViewAccessor? view = null;
        var acquired = false;
        try
        {
            view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            byte* ptr = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref ptr);
            acquired = true;
            ptr += view.PointerOffset;

            var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(new ReadOnlySpan<byte>(ptr, 8));
            if (headerLength > SafetensorsHeader.MaxHeaderBytes)
            {
                throw new SafetensorsFormatException(path,
                    $"header length {headerLength} is absurd (limit {SafetensorsHeader.MaxHeaderBytes} bytes)");
            }
            if ((long)headerLength > length - 8)
            {
                throw new SafetensorsFormatException(path,
                    $"header length {headerLength} runs past the end of the file ({length} bytes): truncated file?");
            }
            var dataStart = 8 + (long)headerLength;
            var (tensors, metadata) = SafetensorsHeader.Parse(
                path, new ReadOnlySpan<byte>(ptr + 8, (int)headerLength), length - dataStart);
            return new SafetensorsFile(path, map, view, ptr, dataStart, tensors, metadata);
        }
        catch
        {
            if (acquired)
            {
                view!.SafeMemoryMappedViewHandle.ReleasePointer();
            }
            view?.Dispose();
            map.Dispose();
            throw;
        }
    }

    public bool Contains(string name) => _tensors.ContainsKey(name);

    public TensorInfo Info(string name) =>
        _tensors.TryGetValue(name, out var info)
            ? info
            : throw new KeyNotFoundException($"{Path}: no tensor named '{name}'");

    public SafetensorsTensor Get(string name) => new(this, Info(name));

    /// <summary>Start of a tensor's bytes in the mapping. Valid while this file is open.</summary>
    internal byte* DataPointer(TensorInfo info)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        return _base + _dataStart + info.DataOffset;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _view?.SafeMemoryMappedViewHandle.ReleasePointer();
        _view?.Dispose();
        _map?.Dispose();
    }
}
