using System.Text.Json;
using Wan.Convert.Inspection;
using Wan.Testing;
using Wan.Runtime.Lora;

namespace Wan.Convert.Tests;

/// <summary><c>wan-convert inspect</c> on every fixture LoRA file: format, rank, alpha, targets and deltas as lora.json describes them.</summary>
[Category("Golden")]
public class LoraInspectTests
{
    public static IEnumerable<TestCaseData> LoraFiles()
    {
        foreach (var data in Fixtures.AllSets())
        {
            if (data.Arguments[0] is not FixtureSet fixtureSet || !File.Exists(Path.Combine(fixtureSet.Directory, "lora.json")))
            {
                yield return new TestCaseData(null, null).SetName($"NoLoraFixtureFound({Fixtures.Root})");
                continue;
            }
            var set = fixtureSet.Directory;
            using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(set, "lora.json")));
            foreach (var f in doc.RootElement.GetProperty("lora_files").EnumerateArray())
            {
                yield return new TestCaseData(set, f.Clone()).SetName($"{Path.GetFileName(set)}/{f.GetProperty("file").GetString()}");
            }
        }
    }

    [TestCaseSource(nameof(LoraFiles))]
    public void DescribesTheFixtureLora(string? set, JsonElement description)
    {
        Assert.That(set, Is.Not.Null, "no fixture set with a lora.json");
        var path = Path.Combine(set!, description.GetProperty("file").GetString()!);
        Assert.That(LoraInspector.IsLora(path), "recognised as a LoRA");
        var d = LoraInspector.Describe(path);
        var lines = d.Lines().ToList();
        lines.ForEach(l => TestContext.Out.WriteLine(l));
        var expectedFormat = description.GetProperty("format").GetString() switch
        {
            "diffusers_peft" => LoraFormat.DiffusersPeft,
            "kohya_musubi" => LoraFormat.KohyaMusubi,
            _ => LoraFormat.OriginalComfy,
        };
        Assert.Multiple(() =>
        {
            Assert.That(d.Format, Is.EqualTo(expectedFormat));
            Assert.That(d.Ranks, Is.EqualTo(new[] { description.GetProperty("rank").GetInt32() }));
            Assert.That(d.Alphas, Is.EqualTo(description.TryGetProperty("alpha", out var a) ? new[] { (float)a.GetDouble() } : Array.Empty<float>()));
            Assert.That(d.Modules, Is.EqualTo(description.GetProperty("num_lora_modules").GetInt32()));
            Assert.That(d.Targets.Sum(t => t.Blocks), Is.EqualTo(d.Modules), "every module is listed under its kind");
            Assert.That(d.Targets.Select(t => t.Kind), Does.Contain("blocks.N.attn1.to_q").And.Contain("blocks.N.ffn.net.2"));
            Assert.That(d.DTypes, Is.EqualTo(new[] { description.GetProperty("dtype").GetString() }));
            Assert.That(lines[0], Is.EqualTo($"{path}: LoRA, format {expectedFormat}"));
            Assert.That(lines, Has.Some.StartsWith("experts: not recorded in a LoRA file"));
        });
        if (description.TryGetProperty("keys_ignored_by_diffusers", out var ignored))
        {
            Assert.That(d.Deltas.Count(x => x.DroppedByDiffusers), Is.EqualTo(ignored.GetArrayLength()));
        }
    }

    [Test]
    public void AModelWeightFileIsNotALora()
    {
        var set = Fixtures.Require(Fixtures.Sets.FirstOrDefault());
        var weights = Directory.GetFiles(Path.Combine(set.Diffusers, "transformer"), "*.safetensors");
        Assert.That(weights, Is.Not.Empty);
        Assert.That(weights.Any(LoraInspector.IsLora), Is.False);
    }
}
