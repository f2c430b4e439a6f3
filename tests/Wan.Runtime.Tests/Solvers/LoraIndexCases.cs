using System.Text.Json;
using Wan.Runtime.Weights;
using Wan.Testing;

namespace Wan.Runtime.Tests.Solvers;

/// <summary>One case of a set's <c>lora.json</c> (fixtures README section 7; same conventions as fixture.json).</summary>
public sealed class LoraIndexCase(FixtureSet set, JsonElement json)
{
    public FixtureSet Set { get; } = set;
    public string Name { get; } = json.GetProperty("name").GetString()!;
    public string Kind { get; } = json.GetProperty("kind").GetString()!;
    public JsonElement Params { get; } = json.GetProperty("params");

    /// <summary>The numeric tolerance for a precision ("fp32", ...).</summary>
    public double Tolerance(string precision) => json.GetProperty("tolerance").GetProperty(precision).GetDouble();

    /// <summary>Opens the case's golden safetensors file.</summary>
    public SafetensorsFile OpenGolden() => SafetensorsFile.Open(Path.Combine(Set.Directory, json.GetProperty("file").GetString()!));

    public override string ToString() => $"{Set.Name}/{Name}";
}

/// <summary>
/// Cases of <c>lora.json</c> in every fixture set, by kind. A set without lora.json, or no set at all, yields one case
/// that fails: a missing oracle never passes.
/// </summary>
public static class LoraIndexCases
{
    /// <summary>Test cases named set/case for every lora.json case of the given kinds.</summary>
    public static IEnumerable<TestCaseData> OfKind(params string[] kinds)
    {
        if (Fixtures.Sets.Count == 0)
        {
            yield return new TestCaseData(new object?[] { null }).SetName($"NoFixtureSetFound({Fixtures.Root})");
            yield break;
        }
        foreach (var set in Fixtures.Sets)
        {
            var index = Path.Combine(set.Directory, "lora.json");
            if (!File.Exists(index))
            {
                yield return new TestCaseData(new object?[] { null }).SetName($"NoLoraIndex({set.Name})");
                continue;
            }
            using var doc = JsonDocument.Parse(File.ReadAllBytes(index));
            foreach (var json in doc.RootElement.GetProperty("cases").EnumerateArray())
            {
                var c = new LoraIndexCase(set, json.Clone());
                if (kinds.Contains(c.Kind))
                {
                    yield return new TestCaseData(c).SetName($"{set.Name}/{c.Name}");
                }
            }
        }
    }
}
