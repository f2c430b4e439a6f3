using Wan.Testing;

namespace Wan.Runtime.Tests.Styles;

/// <summary>A temporary styles folder holding copies of the first fixture set's LoRA files and manifests the test writes.</summary>
internal sealed class StyleFolder : IDisposable
{
    private readonly TempDirectory _dir = new();

    public StyleFolder()
    {
        var set = Fixtures.Require(Fixtures.Sets.FirstOrDefault());
        var loras = System.IO.Path.Combine(set.Directory, "lora");
        if (!Directory.Exists(loras))
        {
            throw new AssertionException($"fixture set {set.Name} has no lora/ folder");
        }
        LoraFiles = [.. Directory.GetFiles(loras, "*.safetensors").Order(StringComparer.Ordinal).Select(f =>
        {
            var copy = _dir.Combine(System.IO.Path.GetFileName(f));
            File.Copy(f, copy);
            return System.IO.Path.GetFileName(f);
        })];
        DitWeights = Directory.GetFiles(Path.Combine(set.Diffusers, "transformer"), "*.safetensors")[0];
    }

    public string Root => _dir.Path;

    /// <summary>File names (in this folder) of the fixture's LoRA files.</summary>
    public IReadOnlyList<string> LoraFiles { get; }

    /// <summary>A safetensors file that is not a LoRA (DiT weights of the fixture model).</summary>
    public string DitWeights { get; }

    public string Write(string name, string json)
    {
        var path = _dir.Combine(name + ".json");
        File.WriteAllText(path, json);
        return path;
    }

    public void Delete(string name) => File.Delete(_dir.Combine(name + ".json"));

    public void Dispose() => _dir.Dispose();
}
