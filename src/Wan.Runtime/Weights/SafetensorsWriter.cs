using System.Buffers.Binary;
using System.Text.Json;
using Wan.Runtime.IO;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Weights;

/// <summary>
/// Streams a safetensors file: the tensor list is declared up front (the header needs every offset),
/// then the data is written in declaration order, in as many chunks as the caller likes. The file is
/// written under a temporary name and only renamed to its final name by <see cref="Commit"/>, so an
/// interrupted write never leaves a file that looks complete.
/// </summary>
public sealed class SafetensorsWriter : IDisposable
{
    private readonly string _path;
    private readonly string _tempPath;
    private readonly FileStream _stream;
    private readonly IReadOnlyList<(string Name, DType DType, Shape Shape)> _entries;
    private readonly long[] _sizes;
    private readonly Dictionary<string, int> _indexOf = new(StringComparer.Ordinal);
    private int _current;
    private long _writtenInCurrent;
    private bool _committed;

    /// <summary>
    /// Declares the tensors (in the order their data will be written) and opens a temporary file
    /// beside <paramref name="path"/>; <see cref="ArgumentException"/> for duplicate names.
    /// </summary>
    public SafetensorsWriter(string path, IReadOnlyList<(string Name, DType DType, Shape Shape)> entries,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        _path = path;
        _entries = entries;
        _sizes = [.. entries.Select(e => checked(e.Shape.ElementCount * e.DType.SizeOf()))];
        for (int i = 0; i < entries.Count; i++)
        {
            if (entries[i].Name == "__metadata__" || !_indexOf.TryAdd(entries[i].Name, i))
            {
                throw new ArgumentException($"{path}: tensor name '{entries[i].Name}' is duplicated or reserved");
            }
        }
        var header = BuildHeader(metadata);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _tempPath = AtomicOutput.TempPathFor(path);
        _stream = new FileStream(_tempPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        Span<byte> len = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)header.Length);
        _stream.Write(len);
        _stream.Write(header);
        SkipEmpty();
    }

    private byte[] BuildHeader(IReadOnlyDictionary<string, string>? metadata)
    {
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata)
                {
                    w.WriteString(k, v);
                }
                w.WriteEndObject();
            }
            long offset = 0;
            for (int i = 0; i < _entries.Count; i++)
            {
                var e = _entries[i];
                w.WriteStartObject(e.Name);
                w.WriteString("dtype", e.DType.SafetensorsName());
                w.WriteStartArray("shape");
                foreach (var d in e.Shape.Dims)
                {
                    w.WriteNumberValue(d);
                }
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + _sizes[i]);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += _sizes[i];
            }
            w.WriteEndObject();
        }
        // Pad with spaces so the data section starts 8-byte aligned (what the reference writer does).
        var pad = (int)((8 - buffer.Length % 8) % 8);
        for (int i = 0; i < pad; i++)
        {
            buffer.WriteByte((byte)' ');
        }
        return buffer.ToArray();
    }

    /// <summary>The tensor the next bytes belong to, or null when all data is written.</summary>
    public string? CurrentTensor => _current < _entries.Count ? _entries[_current].Name : null;

    /// <summary>Appends bytes of the current tensor (and moves on when it is full).</summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        ThrowIfCommitted();
        while (data.Length > 0)
        {
            if (_current >= _entries.Count)
            {
                throw new InvalidOperationException($"{_path}: more data written than the declared tensors hold");
            }
            var room = _sizes[_current] - _writtenInCurrent;
            var n = (int)Math.Min(room, data.Length);
            _stream.Write(data[..n]);
            _writtenInCurrent += n;
            data = data[n..];
            if (_writtenInCurrent == _sizes[_current])
            {
                _current++;
                _writtenInCurrent = 0;
                SkipEmpty();
            }
        }
    }

    /// <summary>
    /// Writes a whole tensor, checking that it is the next one declared. Empty tensors hold no bytes, so
    /// writing one (with no data) is accepted anywhere and does nothing.
    /// </summary>
    public void WriteTensor(string name, ReadOnlySpan<byte> data)
    {
        if (!_indexOf.TryGetValue(name, out var index))
        {
            throw new ArgumentException($"{_path}: tensor '{name}' was not declared", nameof(name));
        }
        if (data.Length != _sizes[index])
        {
            throw new ArgumentException($"{_path}: tensor '{name}' needs {_sizes[index]} bytes, got {data.Length}", nameof(data));
        }
        if (data.Length == 0)
        {
            return;
        }
        if (index != _current || _writtenInCurrent != 0)
        {
            throw new InvalidOperationException($"{_path}: expected data for '{CurrentTensor}', got '{name}'");
        }
        Write(data);
    }

    /// <summary>A whole F32 tensor's values (see the byte overload).</summary>
    public void WriteTensor(string name, ReadOnlySpan<float> data) =>
        WriteTensor(name, System.Runtime.InteropServices.MemoryMarshal.AsBytes(data));

    private void SkipEmpty()
    {
        while (_current < _entries.Count && _sizes[_current] == 0)
        {
            _current++;
        }
    }

    /// <summary>Flushes to disk and gives the file its final name. Fails if any declared data is missing.</summary>
    public void Commit()
    {
        ThrowIfCommitted();
        if (_current < _entries.Count)
        {
            throw new InvalidOperationException($"{_path}: tensor '{_entries[_current].Name}' and later ones were not written");
        }
        _stream.Flush(true);
        _stream.Dispose();
        File.Move(_tempPath, _path, true);
        _committed = true;
    }

    private void ThrowIfCommitted()
    {
        if (_committed)
        {
            throw new InvalidOperationException($"{_path}: already committed");
        }
    }

    /// <summary>Without a <see cref="Commit"/>: closes and deletes the temporary file.</summary>
    public void Dispose()
    {
        if (_committed)
        {
            return;
        }
        _stream.Dispose();
        File.Delete(_tempPath);
    }
}
