using System.Text.Json;

namespace Wan.Testing;

/// <summary>One fixture set: a directory with fixture.json, diffusers/, original/ and goldens/.</summary>
public sealed class FixtureSet
{
    private FixtureSet(string directory, JsonElement index)
    {
        Directory = directory;
        Name = Path.GetFileName(directory);
        Index = index;
        Cases = [.. index.GetProperty("cases").EnumerateArray().Select(c => new FixtureCase(this, c))];
    }

    public string Directory { get; }
    public string Name { get; }
    public JsonElement Index { get; }
    public IReadOnlyList<FixtureCase> Cases { get; }
    public string Diffusers => Path.Combine(Directory, "diffusers");
    public string Original => Path.Combine(Directory, "original");

    public static FixtureSet Load(string directory)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(directory, "fixture.json")));
        return new FixtureSet(directory, doc.RootElement.Clone());
    }

    public override string ToString() => Name;
}
