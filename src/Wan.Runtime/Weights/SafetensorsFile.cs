using System.Buffers.Binary;
using Wan.Runtime.Weights.Storage;

namespace Wan.Runtime.Weights;

/// <summary>
/// A safetensors file mapped read-only into memory (a symbolic link is followed to its target).
/// Tensors are <see cref="StorageTensor"/> views into the mapping: nothing is copied until a consumer
/// converts a tensor, and a leased tensor keeps the mapping alive after this file is disposed. The
/// header is fully validated on open: every problem is a <see cref="SafetensorsFormatException"/> naming the file.
/// </summary>
public sealed unsafe class SafetensorsFile : IDisposable
{
    private readonly MappedFileStorage _storage;
    private readonly long _dataStart;
    private readonly Dictionary<string, TensorInfo> _tensors;
    private int _disposed;

    private SafetensorsFile(string path, MappedFileStorage storage, long dataStart,
        Dictionary<string, TensorInfo> tensors, Dictionary<string, string> metadata)
    {
        Path = path;
        _storage = storage;
        _dataStart = dataStart;
        _tensors = tensors;
        Metadata = metadata;
    }

    /// <summary>The path it was opened by (possibly a symbolic link).</summary>
    public string Path { get; }

    /// <summary>The header's <c>__metadata__</c> strings.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Every tensor's header entry.</summary>
    public IReadOnlyCollection<TensorInfo> Tensors => _tensors.Values;

    /// <summary>Tensor names in header order.</summary>
    public IEnumerable<string> Names => _tensors.Keys;

    /// <summary>
    /// Opens and validates <paramref name="path"/>. Throws <see cref="FileNotFoundException"/> (a dangling
    /// link names its target) or <see cref="SafetensorsFormatException"/> naming the file and the problem.
    /// </summary>
    public static SafetensorsFile Open(string path)
    {
        var storage = MappedFileStorage.Open(path, "safetensors file");
        try
        {
            var length = storage.Length;
            if (length < 8)
            {
                throw new SafetensorsFormatException(path, $"truncated: {length} bytes, shorter than the 8-byte header length");
            }
            using var head = storage.Lease(0, length);
            var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(head.Span(0, 8));
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
            var (tensors, metadata) = SafetensorsHeader.Parse(path, head.Span(8, (int)headerLength), length - dataStart);
            return new SafetensorsFile(path, storage, dataStart, tensors, metadata);
        }
        catch
        {
            storage.Release();
            throw;
        }
    }

    /// <summary>Whether the file holds a tensor of that name.</summary>
    public bool Contains(string name) => _tensors.ContainsKey(name);

    /// <summary>The header entry; <see cref="KeyNotFoundException"/> naming the file when missing.</summary>
    public TensorInfo Info(string name) =>
        _tensors.TryGetValue(name, out var info)
            ? info
            : throw new KeyNotFoundException($"{Path}: no tensor named '{name}'");

    /// <summary>The tensor as a view into the mapping; <see cref="KeyNotFoundException"/> naming the file when missing.</summary>
    public StoredTensor Get(string name)
    {
        var info = Info(name);
        return new StorageTensor(_storage, _dataStart + info.DataOffset, name, info.DType, info.Shape);
    }

    /// <summary>Drops this file's reference on its mapping (leased tensors keep it alive).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _storage.Release();
        }
    }
}
