using System.Text.Json;
using System.Text;
using Wan.Runtime.Weights.Storage;
using Wan.Runtime.Weights.Transforms;

namespace Wan.Runtime.Weights;

/// <summary>
/// The weights of one model component: a directory holding either one <c>*.safetensors</c> file or
/// shards listed by a <c>*.safetensors.index.json</c> (<c>{"weight_map": {tensor: shard}}</c>).
/// Every shard is mapped and every index entry checked against its shard when opened. Any of these
/// paths may be a symbolic link (the Hugging Face hub cache's snapshot layout); links are followed.
/// </summary>
public sealed class SafetensorsCheckpoint : ITensorSource
{
    private readonly List<SafetensorsFile> _files;
    private readonly Dictionary<string, SafetensorsFile> _owner;
    private readonly List<string> _names;

    private SafetensorsCheckpoint(string location, List<SafetensorsFile> files, Dictionary<string, SafetensorsFile> owner)
    {
        Location = location;
        _files = files;
        _owner = owner;
        _names = [.. owner.Keys.Order(StringComparer.Ordinal)];
    }

    /// <inheritdoc/>
    public string Location { get; }

    /// <summary>Every tensor name, in ordinal order.</summary>
    public IReadOnlyList<string> Names => _names;

    /// <summary>The mapped files (one, or every shard).</summary>
    public IReadOnlyList<SafetensorsFile> Files => _files;

    /// <summary>
    /// Opens a directory (index or single file) or one <c>.safetensors</c> / <c>.index.json</c> path.
    /// Throws <see cref="FileNotFoundException"/> (a dangling link names its target) or
    /// <see cref="SafetensorsFormatException"/> naming the file and the problem.
    /// </summary>
    public static SafetensorsCheckpoint Open(string path)
    {
        if (IsFileOrLink(path))
        {
            return path.EndsWith(".index.json", StringComparison.Ordinal) ? OpenIndex(path) : OpenSingle(path);
        }
        if (!Directory.Exists(path))
        {
            throw new FileNotFoundException($"{path}: weights not found (no such file or directory)", path);
        }
        var indexes = Directory.GetFiles(path, "*.safetensors.index.json");
        if (indexes.Length > 1)
        {
            throw new SafetensorsFormatException(path, $"more than one index: {string.Join(", ", indexes.Select(System.IO.Path.GetFileName))}");
        }
        if (indexes.Length == 1)
        {
            return OpenIndex(indexes[0]);
        }
        var files = Directory.GetFiles(path, "*.safetensors");
        return files.Length switch
        {
            1 => OpenSingle(files[0]),
            0 => throw new FileNotFoundException($"{path}: no *.safetensors file or *.safetensors.index.json in this directory"),
            _ => throw new SafetensorsFormatException(path, $"{files.Length} safetensors files but no *.safetensors.index.json to say which tensor is where"),
        };
    }

    private static SafetensorsCheckpoint OpenSingle(string file)
    {
        var f = SafetensorsFile.Open(file);
        return new SafetensorsCheckpoint(file, [f], f.Names.ToDictionary(n => n, _ => f, StringComparer.Ordinal));
    }

    private static SafetensorsCheckpoint OpenIndex(string indexPath)
    {
        var weightMap = ReadWeightMap(indexPath);
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(indexPath))!;
        var byShard = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
        var owner = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
        try
        {
            foreach (var (tensor, shard) in weightMap)
            {
                if (!byShard.TryGetValue(shard, out var file))
                {
                    var shardPath = System.IO.Path.Combine(dir, shard);
                    if (shard.Contains('/') || shard.Contains('\\') || !IsFileOrLink(shardPath))
                    {
                        throw new SafetensorsFormatException(indexPath, $"index names shard '{shard}' (for '{tensor}'), which does not exist");
                    }
                    file = SafetensorsFile.Open(shardPath);
                    byShard.Add(shard, file);
                }
                if (!file.Contains(tensor))
                {
                    throw new SafetensorsFormatException(indexPath, $"index places tensor '{tensor}' in '{shard}', which does not contain it");
                }
                owner.Add(tensor, file);
            }
        }
        catch
        {
            foreach (var f in byShard.Values)
            {
                f.Dispose();
            }
            throw;
        }
        return new SafetensorsCheckpoint(indexPath, [.. byShard.Values], owner);
    }

    private static List<(string Tensor, string Shard)> ReadWeightMap(string indexPath)
    {
        string text;
        LinkedFile.RequireFile(indexPath, "safetensors index");
        try
        {
            text = new UTF8Encoding(false, true).GetString(File.ReadAllBytes(indexPath));
        }
        catch (DecoderFallbackException)
        {
            throw new SafetensorsFormatException(indexPath, "index is not valid UTF-8");
        }
        try
        {
            using var doc = JsonDocument.Parse(text);
            return ReadWeightMap(indexPath, doc.RootElement);
        }
        catch (JsonException e)
        {
            throw new SafetensorsFormatException(indexPath, $"index is not valid JSON ({e.Message})");
        }
        catch (InvalidOperationException e)
        {
            // JsonElement.GetString and JsonProperty.Name throw this for escapes such as a lone "\ud800".
            throw new SafetensorsFormatException(indexPath, $"index contains an invalid string ({e.Message})");
        }
    }

    private static List<(string Tensor, string Shard)> ReadWeightMap(string indexPath, JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("weight_map", out var map)
            || map.ValueKind != JsonValueKind.Object)
        {
            throw new SafetensorsFormatException(indexPath, "index has no 'weight_map' object");
        }
        var result = new List<(string, string)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in map.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.String)
            {
                throw new SafetensorsFormatException(indexPath, $"weight_map entry '{p.Name}' is not a file name");
            }
            if (!seen.Add(p.Name))
            {
                throw new SafetensorsFormatException(indexPath, $"weight_map lists '{p.Name}' twice");
            }
            result.Add((p.Name, p.Value.GetString()!));
        }
        return result;
    }

    /// <summary>A file, or a link that is not to a directory (a dangling one is reported by the open, naming its target).</summary>
    private static bool IsFileOrLink(string path) =>
        File.Exists(path) || (new FileInfo(path).LinkTarget is not null && !Directory.Exists(path));

    /// <inheritdoc/>
    public bool Contains(string name) => _owner.ContainsKey(name);

    /// <summary>The tensor as a view into its mapped file; an fp8 tensor carries the scale of its NAME_scale companion.</summary>
    public StoredTensor Get(string name) =>
        _owner.TryGetValue(name, out var f)
            ? ScaledFp8.WithCompanionScale(this, f.Get(name))
            : throw new KeyNotFoundException($"{Location}: no tensor named '{name}'");

    /// <summary>Closes every file (tensors already leased stay valid).</summary>
    public void Dispose()
    {
        foreach (var f in _files)
        {
            f.Dispose();
        }
    }
}
