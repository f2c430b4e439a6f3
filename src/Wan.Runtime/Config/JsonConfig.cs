using System.Text.Json;
using Wan.Errors;

namespace Wan.Runtime.Config;

/// <summary>
/// The one reader of JSON config files (model_index.json, every component's config.json, the
/// converter's wan_config.json and options files): typed access whose every error is a
/// <see cref="ConfigException"/> naming the file and the key. Optional keys fall back to the
/// caller's documented default; a present key of the wrong type is an error, never a silent default.
/// Keys may be dotted (<c>dit.num_heads</c>) to reach into nested objects. Symbolic links are followed.
/// </summary>
public sealed class JsonConfig
{
    private readonly JsonElement _root;

    private JsonConfig(string path, JsonElement root)
    {
        Path = path;
        _root = root;
    }

    /// <summary>The file the values come from, as named in every error.</summary>
    public string Path { get; }

    /// <summary>Reads and parses a config file.</summary>
    /// <param name="path">the JSON file (a symbolic link is followed).</param>
    /// <exception cref="ConfigException">the file does not exist, cannot be read, is not JSON, or is not a JSON object.</exception>
    public static JsonConfig Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new ConfigException(path, Directory.Exists(path) ? "is a folder, expected a JSON config file" : "config file not found");
        }
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException(path, $"cannot be read ({e.Message})");
        }
        return Parse(bytes, path);
    }

    /// <summary>Parses config JSON that did not come from a file.</summary>
    /// <param name="json">UTF-8 JSON text.</param>
    /// <param name="source">the name errors give the text (a path, or e.g. <c>--options</c>).</param>
    /// <exception cref="ConfigException">the text is not JSON or not a JSON object.</exception>
    public static JsonConfig Parse(ReadOnlySpan<byte> json, string source)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            using var doc = JsonDocument.ParseValue(ref reader);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ConfigException(source, $"expected a JSON object, found {doc.RootElement.ValueKind}");
            }
            return new JsonConfig(source, doc.RootElement.Clone());
        }
        catch (JsonException e)
        {
            throw new ConfigException(source, $"not valid JSON ({e.Message})");
        }
    }

    /// <summary>Parses config JSON given as a string (tests, embedded defaults).</summary>
    /// <param name="json">JSON text.</param>
    /// <param name="source">the name errors give the text.</param>
    /// <exception cref="ConfigException">the text is not JSON or not a JSON object.</exception>
    public static JsonConfig Parse(string json, string source) => Parse(System.Text.Encoding.UTF8.GetBytes(json), source);

    /// <summary>True when the key is present with a non-null value.</summary>
    /// <param name="key">the key, dotted for nested objects.</param>
    public bool Has(string key) => Find(key) is not null;

    /// <summary>
    /// A diffusers model_index.json component entry ["library", "Class"]; an absent key, null or
    /// [null, null] (how diffusers writes an optional component that is not there) means no component.
    /// </summary>
    /// <param name="key">the component's folder name, e.g. <c>transformer_2</c>.</param>
    public bool HasComponent(string key) =>
        Find(key) is { ValueKind: JsonValueKind.Array } e && e.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.Null);

    /// <summary>An integer value (32-bit).</summary>
    /// <param name="key">the key, dotted for nested objects.</param>
    /// <param name="fallback">the value when the key is absent or null; null makes the key required.</param>
    /// <exception cref="ConfigException">the key is missing (and required) or not a 32-bit integer.</exception>
    public int Int(string key, int? fallback = null) =>
        Find(key) is { } e
            ? e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var v) ? v : throw Invalid(key, e, "an integer")
            : fallback ?? throw Missing(key);

    /// <summary>An integer value that must be at least 1.</summary>
    /// <param name="key">the key, dotted for nested objects.</param>
    /// <param name="fallback">the value when the key is absent or null; null makes the key required.</param>
    /// <exception cref="ConfigException">the key is missing (and required), not an integer, or below 1.</exception>
    public int PositiveInt(string key, int? fallback = null) =>
        Find(key) is { } e
            ? e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var v) && v > 0 ? v : throw Invalid(key, e, "a positive integer")
            : fallback ?? throw Missing(key);

    /// <summary>A number (any JSON number).</summary>
    /// <param name="key">the key, dotted for nested objects.</param>
    /// <param name="fallback">the value when the key is absent or null; null makes the key required.</param>
    /// <exception cref="ConfigException">the key is missing (and required) or not a number.</exception>
    public double Double(string key, double? fallback = null) =>
        Find(key) is { } e
            ? e.ValueKind == JsonValueKind.Number ? e.GetDouble() : throw Invalid(key, e, "a number")
            : fallback ?? throw Missing(key);

    /// <summary>A finite number greater than zero.</summary>
    /// <param name="key">the key, dotted for nested objects.</param>
    /// <param name="fallback">the value when the key is absent or null; null makes the key required.</param>
    /// <exception cref="ConfigException">the key is missing (and required), not a number, not finite or not positive.</exception>
    public double PositiveDouble(string key, double? fallback = null) =>
        Find(key) is { } e
            ? e.ValueKind == JsonValueKind.Number && e.GetDouble() is var v && double.IsFinite(v) && v > 0 ? v : throw Invalid(key, e, "a positive finite number")
            : fallback ?? throw Missing(key);

    /// <summary>A boolean value.</summary>
    /// <param name="key">the key, dotted for nested objects.</param>
    /// <param name="fallback">the value when the key is absent or null; null makes the key required.</param>
    /// <exception cref="ConfigException">the key is missing (and required) or not true/false.</exception>
    public bool Bool(string key, bool? fallback = null) =>
        Find(key) is { } e
            ? e.ValueKind is JsonValueKind.True or JsonValueKind.False ? e.GetBoolean() : throw Invalid(key, e, "a boolean")
            : fallback ?? throw Missing(key);

    /// <summary>A string value.</summary>
    /// <param name="key">the key, dotted for nested objects.</param>
    /// <param name="fallback">the value when the key is absent or null; null makes the key required.</param>
    /// <exception cref="ConfigException">the key is missing (and required) or not a string.</exception>
    public string String(string key, string? fallback = null) =>
        Find(key) is { } e
            ? e.ValueKind == JsonValueKind.String ? e.GetString()! : throw Invalid(key, e, "a string")
            : fallback ?? throw Missing(key);

    /// <summary>An array of 32-bit integers.</summary>
    /// <param name="key">the key, dotted for nested objects.</param>
    /// <param name="fallback">the value when the key is absent or null; null makes the key required.</param>
    /// <exception cref="ConfigException">the key is missing (and required) or not an array of integers.</exception>
    public int[] IntArray(string key, int[]? fallback = null) =>
        Array(key, fallback, "an array of integers", x => x.ValueKind == JsonValueKind.Number && x.TryGetInt32(out _), x => x.GetInt32());

    /// <summary>An array of numbers.</summary>
    /// <param name="key">the key, dotted for nested objects.</param>
    /// <param name="fallback">the value when the key is absent or null; null makes the key required.</param>
    /// <exception cref="ConfigException">the key is missing (and required) or not an array of numbers.</exception>
    public double[] DoubleArray(string key, double[]? fallback = null) =>
        Array(key, fallback, "an array of numbers", x => x.ValueKind == JsonValueKind.Number, x => x.GetDouble());

    /// <summary>An array of booleans.</summary>
    /// <param name="key">the key, dotted for nested objects.</param>
    /// <param name="fallback">the value when the key is absent or null; null makes the key required.</param>
    /// <exception cref="ConfigException">the key is missing (and required) or not an array of booleans.</exception>
    public bool[] BoolArray(string key, bool[]? fallback = null) =>
        Array(key, fallback, "an array of booleans", x => x.ValueKind is JsonValueKind.True or JsonValueKind.False, x => x.GetBoolean());

    /// <summary>Fails with the file and key when a value is outside what the model supports.</summary>
    /// <param name="condition">what must hold.</param>
    /// <param name="key">the key the condition is about.</param>
    /// <param name="problem">read after the quoted key, e.g. "must be even".</param>
    /// <exception cref="ConfigException">the condition is false.</exception>
    public void Require(bool condition, string key, string problem)
    {
        if (!condition)
        {
            throw Error(key, problem);
        }
    }

    /// <summary>Fails when a key that selects something unsupported is present with a non-null value.</summary>
    /// <param name="key">the key that must be absent or null.</param>
    /// <param name="problem">why its presence cannot run, read after the key and its value.</param>
    /// <exception cref="ConfigException">the key is present and not null.</exception>
    public void RequireAbsent(string key, string problem)
    {
        if (Find(key) is { } e)
        {
            throw Error(key, $"is {e.GetRawText()}: {problem}");
        }
    }

    /// <summary>The error for a key, to throw where a check is more than one condition.</summary>
    /// <param name="key">the key at fault.</param>
    /// <param name="problem">read after the quoted key.</param>
    public ConfigException Error(string key, string problem) => new(Path, key, problem);

    /// <summary>
    /// The product of sizes from this file in checked 64-bit arithmetic, refused naming the keys when
    /// it overflows or exceeds <paramref name="limit"/> (e.g. a tensor dimension must fit an int).
    /// </summary>
    /// <param name="keys">the keys the factors come from, as the error names them (e.g. "num_attention_heads × attention_head_dim").</param>
    /// <param name="limit">the largest product that can run.</param>
    /// <param name="factors">the positive factors.</param>
    /// <exception cref="ConfigException">the product overflows 64 bits or exceeds the limit.</exception>
    public long Product(string keys, long limit, params ReadOnlySpan<long> factors)
    {
        long product = 1;
        foreach (var f in factors)
        {
            if (f <= 0 || product > limit / f)
            {
                throw Error(keys, f <= 0
                    ? $"must be positive (got {f})"
                    : $"give a size of {Sizes.Describe(factors)}, larger than {limit:N0}: no such model can run");
            }
            product *= f;
        }
        return product;
    }

    private T[] Array<T>(string key, T[]? fallback, string what, Func<JsonElement, bool> valid, Func<JsonElement, T> read) =>
        Find(key) is { } e
            ? e.ValueKind == JsonValueKind.Array && e.EnumerateArray().All(valid) ? [.. e.EnumerateArray().Select(read)] : throw Invalid(key, e, what)
            : fallback ?? throw Missing(key);

    private JsonElement? Find(string key)
    {
        if (_root.TryGetProperty(key, out var direct))
        {
            return direct.ValueKind == JsonValueKind.Null ? null : direct;
        }
        var node = _root;
        foreach (var part in key.Split('.'))
        {
            if (node.ValueKind != JsonValueKind.Object || !node.TryGetProperty(part, out node) || node.ValueKind == JsonValueKind.Null)
            {
                return null;
            }
        }
        return node;
    }

    private ConfigException Missing(string key) => new(Path, key, "is missing (required)");

    private ConfigException Invalid(string key, JsonElement e, string what)
    {
        var raw = e.GetRawText();
        return new(Path, key, $"must be {what}, found {(raw.Length > 60 ? raw[..57] + "..." : raw)}");
    }
}
