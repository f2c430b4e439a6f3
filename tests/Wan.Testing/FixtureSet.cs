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

    /// <summary>The set's folder.</summary>
    public string Directory { get; }

    /// <summary>The folder's name, e.g. tiny-t2v-a14b.</summary>
    public string Name { get; }

    /// <summary>fixture.json as parsed.</summary>
    public JsonElement Index { get; }

    /// <summary>Every case of fixture.json, in file order.</summary>
    public IReadOnlyList<FixtureCase> Cases { get; }

    /// <summary>The model in the diffusers layout.</summary>
    public string Diffusers => Path.Combine(Directory, "diffusers");

    /// <summary>The same model in the original Wan layout.</summary>
    public string Original => Path.Combine(Directory, "original");

    /// <summary>Reads <paramref name="directory"/>/fixture.json.</summary>
    public static FixtureSet Load(string directory)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(directory, "fixture.json")));
        return new FixtureSet(directory, doc.RootElement.Clone());
    }

    /// <summary>The set name.</summary>
    public override string ToString() => Name;
}
