using System.Text.Json;
using Wan.Runtime.Tests.Infrastructure;

namespace Wan.Runtime.Tests.Solvers;

/// <summary>
/// Cases of <c>lora.json</c> (the LoRA index beside fixture.json, fixtures README section 7) in every fixture set,
/// by kind. A set without lora.json, or no set at all, yields one case that fails: a missing oracle never passes.
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
                var c = new FixtureCase(set, json.Clone());
                if (kinds.Contains(c.Kind))
                {
                    yield return new TestCaseData(c).SetName($"{set.Name}/{c.Name}");
                }
            }
        }
    }
}
