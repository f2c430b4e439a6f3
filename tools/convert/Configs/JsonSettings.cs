using Wan.Runtime.Config;

namespace Wan.Convert.Configs;

/// <summary>
/// Hyper-parameters read from JSON files (wan_config.json, an expert's config.json, an options file)
/// through the runtime's config reader, looked up in order: the first file that has a key wins. A
/// wrongly typed value is a <see cref="Wan.Errors.ConfigException"/> naming the file and key.
/// </summary>
public sealed class JsonSettings
{
    private static readonly Dictionary<Type, Func<JsonConfig, string, object>> Readers = new()
    {
        [typeof(int)] = (c, k) => c.Int(k),
        [typeof(double)] = (c, k) => c.Double(k),
        [typeof(bool)] = (c, k) => c.Bool(k),
        [typeof(int[])] = (c, k) => c.IntArray(k),
        [typeof(double[])] = (c, k) => c.DoubleArray(k),
        [typeof(bool[])] = (c, k) => c.BoolArray(k),
    };

    private readonly List<JsonConfig> _files = [];

    /// <summary>Adds a file (lower priority than the ones added before); a missing optional file is skipped.</summary>
    public JsonSettings Add(string path, bool required = false)
    {
        if (required || File.Exists(path))
        {
            _files.Add(JsonConfig.Load(path));
        }
        return this;
    }

    /// <summary>The first value found for any of the dotted key paths, e.g. "dit.num_heads", "num_heads".</summary>
    public T? Get<T>(params string[] keys) where T : struct => (T?)Find(typeof(T), keys);

    /// <summary>The first array found for any of the dotted key paths.</summary>
    public TArr[]? GetArray<TArr>(params string[] keys) => (TArr[]?)Find(typeof(TArr[]), keys);

    private object? Find(Type type, string[] keys)
    {
        var read = Readers.TryGetValue(type, out var r) ? r : throw new ArgumentException($"settings of type {type.Name} are not read", nameof(type));
        foreach (var file in _files)
        {
            foreach (var key in keys)
            {
                if (file.Has(key))
                {
                    return read(file, key);
                }
            }
        }
        return null;
    }
}
