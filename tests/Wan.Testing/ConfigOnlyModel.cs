using System.Text.Json.Nodes;

namespace Wan.Testing;

/// <summary>
/// A temporary copy of a fixture model's JSON configs (no weights) whose keys a test edits: what the
/// runtime refuses at load it must refuse from the configs alone, before it touches any weight file.
/// </summary>
public sealed class ConfigOnlyModel : IDisposable
{
    private static readonly string[] ConfigNames = ["model_index.json", "config.json", "scheduler_config.json"];

    /// <summary>Copies the configs (model_index.json, every config.json, the scheduler's) of a diffusers model folder.</summary>
    /// <param name="diffusersDirectory">the model folder to copy from.</param>
    public ConfigOnlyModel(string diffusersDirectory)
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("wan-configs-").FullName;
        foreach (var file in System.IO.Directory.EnumerateFiles(diffusersDirectory, "*.json", SearchOption.AllDirectories)
                     .Where(f => ConfigNames.Contains(Path.GetFileName(f))))
        {
            var target = Path.Combine(Directory, Path.GetRelativePath(diffusersDirectory, file));
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    /// <summary>The model folder.</summary>
    public string Directory { get; }

    /// <summary>The full path of a config, e.g. <c>transformer/config.json</c>.</summary>
    public string PathOf(string relative) => Path.Combine(Directory, relative);

    /// <summary>Whether the copy holds a config, e.g. <c>transformer_2/config.json</c>.</summary>
    public bool Has(string relative) => File.Exists(PathOf(relative));

    /// <summary>The value of a key, as JSON.</summary>
    public JsonNode? Get(string relative, string key) => JsonNode.Parse(File.ReadAllText(PathOf(relative)))![key];

    /// <summary>Sets keys of a config to JSON values (e.g. <c>"36"</c>, <c>"[1, 4, 4]"</c>, <c>"null"</c>).</summary>
    public void Set(string relative, params (string Key, string Json)[] values)
    {
        var root = JsonNode.Parse(File.ReadAllText(PathOf(relative)))!.AsObject();
        foreach (var (key, json) in values)
        {
            root[key] = JsonNode.Parse(json);
        }
        File.WriteAllText(PathOf(relative), root.ToJsonString());
    }

    /// <summary>Deletes the copy.</summary>
    public void Dispose() => System.IO.Directory.Delete(Directory, true);
}
