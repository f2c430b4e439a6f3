using System.IO.Compression;
using Wan.Convert.Weights;
using Wan.Runtime.Tensors;
using Wan.Runtime.Weights;
using Wan.Runtime.Weights.Storage;

namespace Wan.Convert.Pth;

/// <summary>
/// A torch.save state dict (<c>.pth</c>: a zip with <c>NAME/data.pkl</c> and one <c>NAME/data/KEY</c>
/// entry per storage). The pickle is read by <see cref="RestrictedUnpickler"/>; tensor bytes stay in
/// the zip and are streamed from their entry on demand. Only contiguous tensors that lie inside their
/// storage are accepted. Tensors are <see cref="StoredTensor"/>s: streamed from the archive, or read
/// whole into a native buffer when acquired. A symbolic link to the archive is followed.
/// </summary>
public sealed class PthCheckpoint : ITensorSource
{
    private const long MaxPickleBytes = 1L << 30;

    private readonly FileStream _file;
    private readonly ZipArchive _zip;
    private readonly Dictionary<string, (TensorRecord Record, ZipArchiveEntry Entry)> _tensors;
    private readonly List<string> _order;

    private PthCheckpoint(string path, FileStream file, ZipArchive zip,
        Dictionary<string, (TensorRecord, ZipArchiveEntry)> tensors, List<string> order)
    {
        Location = path;
        _file = file;
        _zip = zip;
        _tensors = tensors;
        _order = order;
    }

    /// <inheritdoc/>
    public string Location { get; }

    /// <summary>Tensor names in the state dict's order.</summary>
    public IReadOnlyList<string> Names => _order;

    /// <summary>
    /// Opens and indexes a torch.save archive. Throws <see cref="FileNotFoundException"/> (a dangling
    /// link names its target) or <see cref="PthFormatException"/> naming the file and the problem.
    /// With <paramref name="stateDictKey"/> the pickle is a dict of state dicts (a training checkpoint such as
    /// Self-Forcing's <c>{"generator": ..., "generator_ema": ...}</c>) and the one under that key is read.
    /// </summary>
    public static PthCheckpoint Open(string path, string? stateDictKey = null)
    {
        var file = LinkedFile.OpenRead(path, ".pth file");
        ZipArchive? zip = null;
        try
        {
            try
            {
                zip = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true);
            }
            catch (InvalidDataException e)
            {
                throw new PthFormatException(path, $"not a torch.save zip archive ({e.Message}); legacy (pre-1.6) .pth files are not supported");
            }
            var (tensors, order) = ReadIndex(path, zip, stateDictKey);
            return new PthCheckpoint(path, file, zip, tensors, order);
        }
        catch
        {
            zip?.Dispose();
            file.Dispose();
            throw;
        }
    }

    private static (Dictionary<string, (TensorRecord, ZipArchiveEntry)>, List<string>) ReadIndex(string path, ZipArchive zip, string? stateDictKey)
    {
        var pickles = zip.Entries.Where(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal) || e.FullName == "data.pkl").ToList();
        if (pickles.Count != 1)
        {
            throw new PthFormatException(path, $"expected exactly one data.pkl in the archive, found {pickles.Count}");
        }
        var pkl = pickles[0];
        var prefix = pkl.FullName[..^"data.pkl".Length];
        if (pkl.Length > MaxPickleBytes)
        {
            throw new PthFormatException(path, $"data.pkl is {pkl.Length} bytes; a state dict's pickle is far smaller");
        }
        var bytes = ReadAll(path, pkl);
        var root = RestrictedUnpickler.Load(path, bytes);
        if (stateDictKey is not null)
        {
            var entries = root is PickleDict outer ? outer.Items : throw new PthFormatException(path, $"the pickle is not a dict of state dicts (looking for '{stateDictKey}')");
            root = entries.FirstOrDefault(e => e.Key is string k && k == stateDictKey).Value
                ?? throw new PthFormatException(path, $"no state dict '{stateDictKey}' (the checkpoint holds {string.Join(", ", entries.Select(e => $"'{e.Key}'"))})");
        }
        if (root is not PickleDict dict)
        {
            throw new PthFormatException(path, "the pickle is not a state dict (an OrderedDict of tensors)");
        }

        var tensors = new Dictionary<string, (TensorRecord, ZipArchiveEntry)>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var (key, value) in dict.Items)
        {
            if (key is not string name || value is not TensorRecord record)
            {
                throw new PthFormatException(path, $"state dict entry '{key}' is not a name -> tensor pair");
            }
            var entryName = prefix + "data/" + record.Storage.Key;
            var entry = zip.GetEntry(entryName)
                ?? throw new PthFormatException(path, $"tensor '{name}': storage record '{entryName}' is missing from the archive");
            CheckLayout(path, name, record, entry);
            if (!tensors.TryAdd(name, (record, entry)))
            {
                throw new PthFormatException(path, $"tensor '{name}' appears twice in the state dict");
            }
            order.Add(name);
        }
        return (tensors, order);
    }

    private static byte[] ReadAll(string path, ZipArchiveEntry entry)
    {
        var bytes = new byte[entry.Length];
        try
        {
            using var s = entry.Open();
            s.ReadExactly(bytes);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            throw new PthFormatException(path, $"entry '{entry.FullName}' is damaged ({e.Message})");
        }
        return bytes;
    }

    private static void CheckLayout(string path, string name, TensorRecord r, ZipArchiveEntry entry)
    {
        var elementSize = r.Storage.DType.SizeOf();
        if (entry.Length != r.Storage.ElementCount * elementSize)
        {
            throw new PthFormatException(path, $"tensor '{name}': storage '{r.Storage.Key}' should hold {r.Storage.ElementCount} x {elementSize} bytes but its record has {entry.Length}");
        }
        var shape = new Shape(r.Size);
        long expected = 1;
        for (int d = r.Size.Length - 1; d >= 0; d--)
        {
            if (r.Size[d] != 1 && r.Stride[d] != expected)
            {
                throw new PthFormatException(path, $"tensor '{name}' {shape} has strides ({string.Join(", ", r.Stride)}): only contiguous tensors are supported");
            }
            expected *= r.Size[d];
        }
        if (r.StorageOffset < 0 || r.StorageOffset > r.Storage.ElementCount - shape.ElementCount)
        {
            throw new PthFormatException(path, $"tensor '{name}' {shape} at storage offset {r.StorageOffset} does not lie inside its storage of {r.Storage.ElementCount} elements");
        }
    }

    /// <inheritdoc/>
    public bool Contains(string name) => _tensors.ContainsKey(name);

    /// <inheritdoc/>
    public StoredTensor Get(string name)
    {
        var (record, _) = Lookup(name);
        return new PthTensor(this, name, record.Storage.DType, new Shape(record.Size));
    }

    private Stream OpenRead(string name)
    {
        var (record, entry) = Lookup(name);
        var size = record.Storage.DType.SizeOf();
        var length = new Shape(record.Size).ElementCount * size;
        Stream s;
        try
        {
            s = entry.Open();
        }
        catch (InvalidDataException e)
        {
            throw new PthFormatException(Location, $"tensor '{name}': record '{entry.FullName}' is damaged ({e.Message})");
        }
        return BoundedReadStream.Window(s, record.StorageOffset * size, length, $"{Location}: tensor '{name}'");
    }

    private (TensorRecord, ZipArchiveEntry) Lookup(string name) =>
        _tensors.TryGetValue(name, out var t) ? t : throw new KeyNotFoundException($"{Location}: no tensor named '{name}'");

    /// <summary>A tensor of the archive: its bytes are decompressed from its storage entry when read.</summary>
    private sealed class PthTensor(PthCheckpoint owner, string name, DType dtype, Shape shape)
        : StoredTensor(name, dtype, shape, owner.Location, null)
    {
        public override StoredBytes Acquire()
        {
            using var stream = OpenRead();
            return NativeTensorStorage.ReadAll(stream, ByteLength, $"{Location}: tensor '{Name}'");
        }

        public override Stream OpenRead() => owner.OpenRead(Name);
    }

    /// <summary>Closes the archive.</summary>
    public void Dispose()
    {
        _zip.Dispose();
        _file.Dispose();
    }
}
