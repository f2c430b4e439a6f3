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

    /// <summary>The set the case belongs to.</summary>
    public FixtureSet Set { get; }

    /// <summary>The case's entry in fixture.json.</summary>
    public JsonElement Json { get; }

    /// <summary>The case name, unique within its set.</summary>
    public string Name { get; }

    /// <summary>What the case checks ("dit", "t5", "vae_decode", ...): tests select cases by kind.</summary>
    public string Kind { get; }

    /// <summary>The full path of the case's golden file.</summary>
    public string File { get; }

    /// <summary>The case's parameters (shapes, steps, subfolders).</summary>
    public JsonElement Params => Json.GetProperty("params");

    /// <summary>The numeric tolerance for a precision ("fp32", "bf16"), from fixture.json.</summary>
    public double Tolerance(string precision) => Json.GetProperty("tolerance").GetProperty(precision).GetDouble();

    /// <summary>The golden tensors the case compares.</summary>
    public IReadOnlyList<string> Compare => [.. Json.GetProperty("compare").EnumerateArray().Select(e => e.GetString()!)];

    /// <summary>Opens the case's golden safetensors file (not for the tokenizer's JSON).</summary>
    public SafetensorsFile OpenGolden() => SafetensorsFile.Open(File);

    /// <summary>set/case, as in the test names.</summary>
    public override string ToString() => $"{Set.Name}/{Name}";
}
