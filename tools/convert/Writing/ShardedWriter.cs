using System.Globalization;
using System.Text.Json.Nodes;
using Wan.Convert.Configs;
using Wan.Runtime.Weights;

namespace Wan.Convert.Writing;

/// <summary>
/// Writes a component's tensors as <c>BASE.safetensors</c>, or, when they exceed the shard size, as
/// <c>BASE-0000i-of-0000N.safetensors</c> plus <c>BASE.safetensors.index.json</c> (the Hugging Face
/// convention the runtime's SafetensorsCheckpoint reads). A tensor larger than the limit gets a shard of its own.
/// </summary>
public static class ShardedWriter
{
    private static readonly Dictionary<string, string> Metadata = new() { ["format"] = "pt" };

    public static void Write(string directory, string baseName, IReadOnlyList<PlannedTensor> tensors, long maxShardBytes,
        Action<long>? bytesWritten = null)
    {
        if (maxShardBytes <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxShardBytes), maxShardBytes, "shard size limit must be positive");
        }
        var shards = new List<List<PlannedTensor>>();
        long current = 0;
        foreach (var t in tensors)
        {
            if (shards.Count == 0 || (current + t.ByteLength > maxShardBytes && current > 0))
            {
                shards.Add([]);
                current = 0;
            }
            shards[^1].Add(t);
            current += t.ByteLength;
        }
        if (shards.Count == 0)
        {
            shards.Add([]);
        }

        Directory.CreateDirectory(directory);
        var weightMap = new SortedDictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < shards.Count; i++)
        {
            var file = shards.Count == 1
                ? $"{baseName}.safetensors"
                : string.Create(CultureInfo.InvariantCulture, $"{baseName}-{i + 1:D5}-of-{shards.Count:D5}.safetensors");
            var entries = shards[i].SelectMany(t => t.Entries).ToList();
            using var writer = new SafetensorsWriter(Path.Combine(directory, file), entries, Metadata);
            foreach (var t in shards[i])
            {
                t.Write(writer);
                bytesWritten?.Invoke(t.ByteLength);
            }
            writer.Commit();
            foreach (var e in entries)
            {
                weightMap[e.Name] = file;
            }
        }
        if (shards.Count > 1)
        {
            var map = new JsonObject();
            foreach (var (name, file) in weightMap)
            {
                map[name] = file;
            }
            var index = new JsonObject
            {
                ["metadata"] = new JsonObject { ["total_size"] = tensors.Sum(t => t.ByteLength) },
                ["weight_map"] = map,
            };
            DiffusersConfigs.Write(Path.Combine(directory, $"{baseName}.safetensors.index.json"), index);
        }
    }
}
