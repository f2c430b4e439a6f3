using System.Text.Json;
using Wan.Runtime.Weights;

namespace Wan.Testing;

/// <summary>One case of fixture.json: its golden file, parameters and tolerances.</summary>
public sealed class FixtureCase
{
    internal FixtureCase(FixtureSet set, JsonElement json)
    {
        Set = set;
        Json = json;
        Name = json.GetProperty("name").GetString()!;
        Kind = json.GetProperty("kind").GetString()!;
        File = Path.Combine(set.Directory, json.GetProperty("file").GetString()!);
    }

    public FixtureSet Set { get; }
    public JsonElement Json { get; }
    public string Name { get; }
    public string Kind { get; }
    public string File { get; }

    public JsonElement Params => Json.GetProperty("params");

    /// <summary>The numeric tolerance for a precision ("fp32", "bf16"), from fixture.json.</summary>
    public double Tolerance(string precision) => Json.GetProperty("tolerance").GetProperty(precision).GetDouble();

    public IReadOnlyList<string> Compare => [.. Json.GetProperty("compare").EnumerateArray().Select(e => e.GetString()!)];

    /// <summary>Opens the case's golden safetensors file (not for the tokenizer's JSON).</summary>
    public SafetensorsFile OpenGolden() => SafetensorsFile.Open(File);

    public override string ToString() => $"{Set.Name}/{Name}";
}
