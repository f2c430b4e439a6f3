using System.Text.Json;
using Wan.Runtime.Lora;
using Wan.Testing;

namespace Wan.Runtime.Tests.Lora;

/// <summary>
/// Discovers <c>lora.json</c> beside <c>fixture.json</c> in every fixture set (section 7 of the fixtures
/// README): one test case per LoRA case of the asked kinds, named set/case; no set with a lora.json
/// gives one failing case, so a missing oracle never passes.
/// </summary>
public static class LoraFixtures
{
    private static readonly Lazy<IReadOnlyList<FixtureCase>> LazyCases = new(() =>
        [.. Fixtures.Sets
            .Where(s => File.Exists(Path.Combine(s.Directory, "lora.json")))
            .SelectMany(s =>
            {
                using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(s.Directory, "lora.json")));
                return doc.RootElement.Clone().GetProperty("cases").EnumerateArray().Select(c => new FixtureCase(s, c)).ToList();
            })]);

    /// <summary>Every LoRA case of every set.</summary>
    public static IReadOnlyList<FixtureCase> All => LazyCases.Value;

    /// <summary>Test cases for the LoRA cases of the given kinds.</summary>
    public static IEnumerable<TestCaseData> CasesOfKind(params string[] kinds)
    {
        var cases = All.Where(c => kinds.Contains(c.Kind)).ToList();
        if (cases.Count == 0)
        {
            yield return new TestCaseData(new object?[] { null }).SetName($"NoLoraFixtureFound({Fixtures.Root})");
            yield break;
        }
        foreach (var c in cases)
        {
            yield return new TestCaseData(c).SetName($"{c.Set.Name}/{c.Name}");
        }
    }

    /// <summary>Fails when discovery found nothing.</summary>
    public static FixtureCase Require(FixtureCase? c) =>
        c ?? throw new AssertionException($"no lora.json with cases found under {Fixtures.Root}");

    /// <summary>The case's LoRA stack (<c>params.loras</c>: file relative to the set, strength) on <paramref name="expert"/>, under its <c>merge_semantics</c> (lightx2v = all deltas; diffusers, the main goldens' and the default).</summary>
    public static LoraSet Set(FixtureCase c, string lorasProperty = "loras", LoraExpert expert = LoraExpert.Both)
    {
        var p = c.Params;
        var semantics = p.TryGetProperty("merge_semantics", out var m) && m.GetString() == "lightx2v"
            ? LoraMergeSemantics.AllDeltas
            : LoraMergeSemantics.Diffusers;
        return new LoraSet(p.GetProperty(lorasProperty).EnumerateArray().Select(l => new LoraSpec(
            Path.Combine(c.Set.Directory, l.GetProperty("file").GetString()!), (float)l.GetProperty("strength").GetDouble(), expert)), semantics);
    }

    /// <summary>A lora_pipeline case's stack: <c>high_noise_model_loras</c> and <c>low_noise_model_loras</c>, each on its expert.</summary>
    public static LoraSet PipelineStack(FixtureCase c) => new(
        Set(c, "high_noise_model_loras", LoraExpert.High).Specs.Concat(Set(c, "low_noise_model_loras", LoraExpert.Low).Specs),
        Set(c, "high_noise_model_loras").Semantics);

    /// <summary>The diffusers subfolder of a lora_dit case's expert (params.expert / diffusers_component).</summary>
    public static string Subfolder(FixtureCase c) => c.Params.GetProperty("diffusers_component").GetString()!;

    /// <summary>The expert a lora_dit case targets.</summary>
    public static LoraExpert Expert(FixtureCase c) =>
        c.Params.GetProperty("expert").GetString() == "low_noise_model" ? LoraExpert.Low : LoraExpert.High;
}
