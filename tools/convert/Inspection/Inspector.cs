using System.Text.Json.Nodes;
using Wan.Convert.Weights;
using Wan.Runtime.Tensors;
using Wan.Runtime.Weights;

namespace Wan.Convert.Inspection;

/// <summary>The tensors of one component with their total size, and byte totals per dtype.</summary>
public sealed record ComponentSummary(string Name, string Location, IReadOnlyList<StoredTensor> Tensors)
{
    public long Bytes => Tensors.Sum(t => t.ByteLength);
    public long Parameters => Tensors.Sum(t => t.Shape.ElementCount);
    public IReadOnlyDictionary<DType, long> BytesByDType => Tensors.GroupBy(t => t.DType).ToDictionary(g => g.Key, g => g.Sum(t => t.ByteLength));
}

/// <summary>What <c>inspect</c> shows: layout, components and the scalar settings of every config file found.</summary>
public sealed record InspectResult(string Path, string Layout, IReadOnlyList<ComponentSummary> Components, IReadOnlyList<(string File, string Key, string Value)> Config);

public static class Inspector
{
    public static InspectResult Inspect(string path)
    {
        using var model = ModelDirectory.Open(path);
        var components = model.Components
            .Select(c => new ComponentSummary(c.Name, c.Source.Location, [.. c.Source.Names.Select(c.Source.Get)]))
            .ToList();
        var config = new List<(string, string, string)>();
        if (Directory.Exists(model.Path))
        {
            foreach (var file in Directory.GetFiles(model.Path, "*.json", SearchOption.AllDirectories).Where(IsConfig).Order(StringComparer.Ordinal))
            {
                if (JsonNode.Parse(File.ReadAllText(file)) is JsonObject root)
                {
                    Flatten(System.IO.Path.GetRelativePath(model.Path, file), "", root, config);
                }
            }
        }
        return new InspectResult(model.Path, model.Layout, components, config);
    }

    private static bool IsConfig(string file) =>
        !file.EndsWith(".index.json", StringComparison.Ordinal) && System.IO.Path.GetFileName(file) != "tokenizer.json";

    private static void Flatten(string file, string prefix, JsonObject obj, List<(string, string, string)> into)
    {
        foreach (var (key, value) in obj)
        {
            var name = prefix + key;
            if (value is JsonObject inner)
            {
                Flatten(file, name + ".", inner, into);
            }
            else if (value is JsonArray array && array.Count > 8)
            {
                into.Add((file, name, $"[{array.Count} values]"));
            }
            else
            {
                into.Add((file, name, value?.ToJsonString() ?? "null"));
            }
        }
    }
}
