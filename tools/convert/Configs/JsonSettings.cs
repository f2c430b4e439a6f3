using System.Text.Json;
using System.Text.Json.Nodes;

namespace Wan.Convert.Configs;

/// <summary>
/// Hyper-parameters read from JSON files (wan_config.json, an expert's config.json, an options file),
/// looked up in order: the first file that has a key wins. Wrongly typed values are errors naming the file.
/// </summary>
public sealed class JsonSettings
{
    private readonly List<(string Path, JsonObject Root)> _files = [];

    /// <summary>Adds a file (lower priority than the ones added before); a missing optional file is skipped.</summary>
    public JsonSettings Add(string path, bool required = false)
    {
        if (!File.Exists(path))
        {
            return required ? throw new FileNotFoundException($"{path}: options file not found", path) : this;
        }
        try
        {
            var node = JsonNode.Parse(File.ReadAllText(path));
            _files.Add((path, node as JsonObject ?? throw new InvalidDataException($"{path}: expected a JSON object")));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({e.Message})");
        }
        return this;
    }

    /// <summary>The first value found for any of the dotted key paths, e.g. "dit.num_heads", "num_heads".</summary>
    public T? Get<T>(params string[] keys) where T : struct
    {
        foreach (var (path, root) in _files)
        {
            foreach (var key in keys)
            {
                if (Find(root, key) is { } node)
                {
                    try
                    {
                        return node.Deserialize<T>();
                    }
                    catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
                    {
                        throw new InvalidDataException($"{path}: '{key}' = {node.ToJsonString()} is not a {typeof(T).Name}");
                    }
                }
            }
        }
        return null;
    }

    public TArr[]? GetArray<TArr>(params string[] keys)
    {
        foreach (var (path, root) in _files)
        {
            foreach (var key in keys)
            {
                if (Find(root, key) is { } node)
                {
                    try
                    {
                        return node.Deserialize<TArr[]>();
                    }
                    catch (JsonException)
                    {
                        throw new InvalidDataException($"{path}: '{key}' = {node.ToJsonString()} is not an array of {typeof(TArr).Name}");
                    }
                }
            }
        }
        return null;
    }

    private static JsonNode? Find(JsonObject root, string dotted)
    {
        JsonNode? node = root;
        foreach (var part in dotted.Split('.'))
        {
            node = node is JsonObject o && o.TryGetPropertyValue(part, out var child) ? child : null;
            if (node is null)
            {
                return null;
            }
        }
        return node;
    }
}
