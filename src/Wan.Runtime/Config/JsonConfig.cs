using System.Text.Json;

namespace Wan.Runtime.Config;

/// <summary>
/// Typed access to a JSON config file with errors that name the file and the key.
/// Optional keys fall back to documented defaults; a present key of the wrong type is an error.
/// </summary>
public sealed class JsonConfig
{
    private readonly JsonElement _root;

    private JsonConfig(string path, JsonElement root)
    {
        Path = path;
        _root = root;
    }

    public string Path { get; }

    public static JsonConfig Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new ConfigException(path, "config file not found");
        }
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ConfigException(path, "config must be a JSON object");
            }
            return new JsonConfig(path, doc.RootElement.Clone());
        }
        catch (JsonException e)
        {
            throw new ConfigException(path, $"not valid JSON ({e.Message})");
        }
    }

    public bool Has(string key) => _root.TryGetProperty(key, out var v) && v.ValueKind != JsonValueKind.Null;

    /// <summary>
    /// A diffusers model_index.json component entry ["library", "Class"]; an absent key, null or
    /// [null, null] (how diffusers writes an optional component that is not there) means no component.
    /// </summary>
    public bool HasComponent(string key) =>
        Find(key) is { ValueKind: JsonValueKind.Array } e && e.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.Null);

    public int Int(string key, int? fallback = null) =>
        Find(key) is { } e
            ? e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var v) ? v : throw Invalid(key, e, "an integer")
            : fallback ?? throw Missing(key);

    public double Double(string key, double? fallback = null) =>
        Find(key) is { } e
            ? e.ValueKind == JsonValueKind.Number ? e.GetDouble() : throw Invalid(key, e, "a number")
            : fallback ?? throw Missing(key);

    public bool Bool(string key, bool? fallback = null) =>
        Find(key) is { } e
            ? e.ValueKind is JsonValueKind.True or JsonValueKind.False ? e.GetBoolean() : throw Invalid(key, e, "a boolean")
            : fallback ?? throw Missing(key);

    public string String(string key, string? fallback = null) =>
        Find(key) is { } e
            ? e.ValueKind == JsonValueKind.String ? e.GetString()! : throw Invalid(key, e, "a string")
            : fallback ?? throw Missing(key);

    public int[] IntArray(string key, int[]? fallback = null) =>
        Find(key) is { } e
            ? e.ValueKind == JsonValueKind.Array && e.EnumerateArray().All(x => x.ValueKind == JsonValueKind.Number && x.TryGetInt32(out _))
                ? [.. e.EnumerateArray().Select(x => x.GetInt32())]
                : throw Invalid(key, e, "an array of integers")
            : fallback ?? throw Missing(key);

    public double[] DoubleArray(string key, double[]? fallback = null) =>
        Find(key) is { } e
            ? e.ValueKind == JsonValueKind.Array && e.EnumerateArray().All(x => x.ValueKind == JsonValueKind.Number)
                ? [.. e.EnumerateArray().Select(x => x.GetDouble())]
                : throw Invalid(key, e, "an array of numbers")
            : fallback ?? throw Missing(key);

    /// <summary>Fails with the file and key when a value is outside what the model supports.</summary>
    public void Require(bool condition, string key, string problem)
    {
        if (!condition)
        {
            throw new ConfigException(Path, $"'{key}' {problem}");
        }
    }

    private JsonElement? Find(string key) =>
        _root.TryGetProperty(key, out var e) && e.ValueKind != JsonValueKind.Null ? e : null;

    private ConfigException Missing(string key) => new(Path, $"missing required key '{key}'");

    private ConfigException Invalid(string key, JsonElement e, string what) =>
        new(Path, $"'{key}' must be {what}, found {e.GetRawText()}");
}
