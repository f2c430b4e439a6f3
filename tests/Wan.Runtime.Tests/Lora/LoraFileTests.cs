using System.Text.Json;
using Wan.Runtime.Config;
using Wan.Runtime.Lora;
using Wan.Runtime.Tensors;
using Wan.Testing;
using Wan.Runtime.Weights;

namespace Wan.Runtime.Tests.Lora;

/// <summary>
/// Format recognition (from keys only) on every fixture LoRA file against lora.json's description,
/// and the refusal of files whose keys match nothing or match with the wrong shape: one error naming
/// the offending keys and the expected shapes.
/// </summary>
public sealed class LoraFileTests
{
    public static IEnumerable<TestCaseData> FixtureFiles()
    {
        var sets = Fixtures.Sets.Where(s => File.Exists(Path.Combine(s.Directory, "lora.json"))).ToList();
        if (sets.Count == 0)
        {
            yield return new TestCaseData(null, null).SetName($"NoLoraFixtureFound({Fixtures.Root})");
            yield break;
        }
        foreach (var set in sets)
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(set.Directory, "lora.json")));
            foreach (var f in doc.RootElement.GetProperty("lora_files").EnumerateArray())
            {
                yield return new TestCaseData(set, f.Clone()).SetName($"{set.Name}/{f.GetProperty("file").GetString()}");
            }
        }
    }

    [Category("Golden")]
    [TestCaseSource(nameof(FixtureFiles))]
    public void FixtureFileIsRecognisedFromItsKeys(FixtureSet? set, JsonElement description)
    {
        var s = Fixtures.Require(set);
        var config = DitConfig.Load(Path.Combine(s.Diffusers, description.GetProperty("diffusers_component").GetString()!, "config.json"));
        var expectedFormat = description.GetProperty("format").GetString() switch
        {
            "diffusers_peft" => LoraFormat.DiffusersPeft,
            "kohya_musubi" => LoraFormat.KohyaMusubi,
            "original_lightx2v" => LoraFormat.OriginalComfy,
            var other => throw new AssertionException($"lora.json format '{other}' is not one this test knows"),
        };
        using var temp = new TempDirectory();
        // A misleading name: recognition must come from the keys, never from the file name.
        var renamed = temp.Combine("diffusers_kohya_comfy_lora.safetensors");
        File.Copy(Path.Combine(s.Directory, description.GetProperty("file").GetString()!), renamed);
        using var lora = LoraFile.Open(renamed, config);
        float expectedScale = description.TryGetProperty("scale_alpha_over_rank", out var sc) ? (float)sc.GetDouble() : (float)description.GetProperty("scale").GetDouble();
        Assert.Multiple(() =>
        {
            Assert.That(lora.Format, Is.EqualTo(expectedFormat), "format");
            Assert.That(lora.Modules, Has.Count.EqualTo(description.GetProperty("num_lora_modules").GetInt32()), "modules");
            Assert.That(lora.Modules.Select(m => m.Rank).Distinct(), Is.EqualTo(new[] { description.GetProperty("rank").GetInt32() }), "rank");
            Assert.That(lora.Modules.Select(m => m.Scale).Distinct(), Is.EqualTo(new[] { expectedScale }), "alpha / rank");
            int tensors = lora.Modules.Count * 2 + lora.Modules.Count(m => m.Alpha is not null) + lora.Deltas.Count;
            Assert.That(tensors, Is.EqualTo(description.GetProperty("num_tensors").GetInt32()), "every tensor of the file is used");
        });
        if (description.TryGetProperty("keys_ignored_by_diffusers", out var ignored))
        {
            var dropped = lora.Deltas.Where(d => !d.AppliedUnder(LoraMergeSemantics.Diffusers)).Select(d => d.Key).Order(StringComparer.Ordinal);
            Assert.That(dropped, Is.EqualTo(ignored.EnumerateArray().Select(k => k.GetString()!).Order(StringComparer.Ordinal)),
                "the diffusers semantics drops exactly the keys diffusers ignores");
            Assert.That(lora.Deltas.All(d => d.AppliedUnder(LoraMergeSemantics.AllDeltas)), "all-deltas applies every delta");
        }
    }

    [Test]
    public void MismatchedKeysAreRefusedWithTheKeysNamed()
    {
        var config = TinyConfig();
        int d = config.Dim;
        using var temp = new TempDirectory();
        var path = temp.Combine("bad.safetensors");
        Write(path,
            ("transformer.blocks.0.attn1.to_q.lora_A.weight", new Shape(4, d)),
            ("transformer.blocks.0.attn1.to_q.lora_B.weight", new Shape(d, 4)),
            ("transformer.blocks.0.attn1.to_k.lora_A.weight", new Shape(4, d + 1)),
            ("transformer.blocks.0.attn1.to_k.lora_B.weight", new Shape(d, 4)),
            ("transformer.blocks.0.attn1.to_v.lora_A.weight", new Shape(4, d)),
            ("transformer.blocks.0.attn1.to_v.lora_B.weight", new Shape(d, 3)),
            ("transformer.blocks.0.attn1.to_x.lora_A.weight", new Shape(4, d)),
            ($"transformer.blocks.{config.Layers}.attn1.to_q.lora_A.weight", new Shape(4, d)),
            ($"transformer.blocks.{config.Layers}.attn1.to_q.lora_B.weight", new Shape(d, 4)));
        var e = Assert.Throws<LoraFormatException>(() => LoraFile.Open(path, config))!;
        TestContext.Out.WriteLine(e.Message);
        Assert.That(e.Message, Does.StartWith(path));
        Assert.That(e.Message, Does.Contain("4 offending key(s)"));
        Assert.That(e.Message, Does.Contain($"'transformer.blocks.0.attn1.to_k.lora_A.weight': shape [4, {d + 1}], expected [4, {d}]"));
        Assert.That(e.Message, Does.Contain($"'transformer.blocks.0.attn1.to_v.lora_B.weight': shape [{d}, 3], expected [{d}, 4]"));
        Assert.That(e.Message, Does.Contain("'transformer.blocks.0.attn1.to_x.lora_A.weight': matches no LoRA key"));
        Assert.That(e.Message, Does.Contain($"'transformer.blocks.{config.Layers}.attn1.to_q.lora_A.weight': module 'blocks.{config.Layers}.attn1.to_q' is not a linear of this DiT"));
        Assert.That(e.Message, Does.Not.Contain("to_q.lora_A.weight': shape"), "the well-formed module is not listed");
    }

    [Test]
    public void ManyOffendingKeysAreCountedAndTheFirstFewListed()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("junk.safetensors");
        Write(path, [.. Enumerable.Range(0, 9).Select(i => ($"model.layer{i}.weight", new Shape(2, 2)))]);
        var e = Assert.Throws<LoraFormatException>(() => LoraFile.Validate(path))!;
        Assert.That(e.Message, Does.Contain("9 offending key(s)"));
        Assert.That(e.Message, Does.Contain("... and 4 more"));
        Assert.That(e.Message, Does.Contain("expected e.g. 'transformer.blocks.0.attn1.to_q.lora_A.weight'"));
    }

    [Test]
    public void WithoutAConfigTheFileMustStillBeConsistent()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("half.safetensors");
        Write(path,
            ("lora_unet_blocks_0_self_attn_q.lora_down.weight", new Shape(8, 32)),
            ("lora_unet_blocks_0_self_attn_k.lora_down.weight", new Shape(8, 32)),
            ("lora_unet_blocks_0_self_attn_k.lora_up.weight", new Shape(32, 8)),
            ("lora_unet_blocks_0_self_attn_k.alpha", new Shape(2)));
        var e = Assert.Throws<LoraFormatException>(() => LoraFile.Validate(path))!;
        Assert.That(e.Message, Does.Contain("'lora_unet_blocks_0_self_attn_q.lora_down.weight': module 'blocks.0.attn1.to_q' lacks its lora_B/lora_up tensor"));
        Assert.That(e.Message, Does.Contain("'lora_unet_blocks_0_self_attn_k.alpha': expected one finite number (0-dim), got shape [2]"));
    }

    [Test]
    public void MixedFormatsAndMissingFilesAreRefused()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("mixed.safetensors");
        Write(path,
            ("transformer.blocks.0.attn1.to_q.lora_A.weight", new Shape(4, 8)),
            ("transformer.blocks.0.attn1.to_q.lora_B.weight", new Shape(8, 4)),
            ("diffusion_model.blocks.0.self_attn.k.lora_A.weight", new Shape(4, 8)),
            ("diffusion_model.blocks.0.self_attn.k.lora_B.weight", new Shape(8, 4)));
        Assert.That(() => LoraFile.Validate(path), Throws.TypeOf<LoraFormatException>().With.Message.Contains("keys of several formats (DiffusersPeft, OriginalComfy)"));
        Assert.That(() => LoraFile.Validate(temp.Combine("absent.safetensors")), Throws.TypeOf<LoraFormatException>().With.Message.Contains("LoRA file not found"));
        File.WriteAllText(temp.Combine("text.safetensors"), "not a safetensors file");
        Assert.That(() => LoraFile.Validate(temp.Combine("text.safetensors")), Throws.TypeOf<LoraFormatException>().With.Message.Contains("not a readable safetensors LoRA file"));
    }

    [Test]
    public void TransformerTwoKeysGetAHint()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("t2.safetensors");
        Write(path, ("transformer_2.blocks.0.attn1.to_q.lora_A.weight", new Shape(2, 8)), ("transformer_2.blocks.0.attn1.to_q.lora_B.weight", new Shape(8, 2)));
        Assert.That(() => LoraFile.Validate(path), Throws.TypeOf<LoraFormatException>().With.Message.Contains(
            "'transformer_2.blocks.0.attn1.to_q.lora_A.weight': 'transformer_2.' keys are not a LoRA format").And.Message.Contains("FILE:STRENGTH:low"));
    }

    [Test]
    public void KeySpellingsMapToTheSameModules()
    {
        using var temp = new TempDirectory();
        var spellings = new[]
        {
            ("diffusers", "transformer.blocks.1.attn2.to_out.0.lora_A.weight", "transformer.blocks.1.attn2.to_out.0.lora_B.weight"),
            ("kohya", "lora_unet_blocks_1_cross_attn_o.lora_down.weight", "lora_unet_blocks_1_cross_attn_o.lora_up.weight"),
            ("comfy", "diffusion_model.blocks.1.cross_attn.o.lora_down.weight", "diffusion_model.blocks.1.cross_attn.o.lora_up.weight"),
            ("original", "blocks.1.cross_attn.o.lora_A.weight", "blocks.1.cross_attn.o.lora_B.weight"),
            ("peft", "base_model.model.blocks.1.attn2.to_out.0.lora_A.weight", "base_model.model.blocks.1.attn2.to_out.0.lora_B.weight"),
        };
        foreach (var (name, down, up) in spellings)
        {
            var path = temp.Combine(name + ".safetensors");
            Write(path, (down, new Shape(2, 8)), (up, new Shape(8, 2)));
            using var lora = LoraFile.Open(path);
            Assert.That(lora.Modules.Single().Module, Is.EqualTo("blocks.1.attn2.to_out.0"), name);
        }
    }

    [TestCase("a.safetensors", "a.safetensors", 1f, LoraExpert.Both)]
    [TestCase("a.safetensors:0.8", "a.safetensors", 0.8f, LoraExpert.Both)]
    [TestCase("a.safetensors:-0.5:low", "a.safetensors", -0.5f, LoraExpert.Low)]
    [TestCase("dir/a.safetensors:1e-1:HIGH", "dir/a.safetensors", 0.1f, LoraExpert.High)]
    [TestCase("C:/x/a.safetensors:2:both", "C:/x/a.safetensors", 2f, LoraExpert.Both)]
    [TestCase("with:colon.safetensors", "with:colon.safetensors", 1f, LoraExpert.Both)]
    [TestCase("no-extension:0.5:low", "no-extension", 0.5f, LoraExpert.Low)]
    public void SpecParses(string text, string path, float strength, LoraExpert target)
    {
        var spec = LoraSpec.Parse(text);
        Assert.That(spec, Is.EqualTo(new LoraSpec(path, strength, target)));
        Assert.That(LoraSpec.Parse(spec.ToString()), Is.EqualTo(spec), "ToString round-trips");
    }

    [TestCase(":0.5", "no file name")]
    [TestCase("a.safetensors:nan", "strength 'nan' is not a finite number")]
    [TestCase("a.safetensors:1x:high", "strength '1x' is not a finite number")]
    [TestCase("a.safetensors:1:middle", "target 'middle' is not high, low or both")]
    [TestCase("a.safetensors:1:low:2", "too many fields")]
    public void BadSpecIsRefused(string text, string message) =>
        Assert.That(() => LoraSpec.Parse(text), Throws.TypeOf<LoraFormatException>().With.Message.Contains(message));

    private static DitConfig TinyConfig()
    {
        var set = Fixtures.Require(Fixtures.Sets.FirstOrDefault());
        return DitConfig.Load(Path.Combine(set.Diffusers, "transformer", "config.json"));
    }

    /// <summary>Writes an F32 safetensors file of the given tensors (values 0.01·i).</summary>
    internal static void Write(string path, params (string Name, Shape Shape)[] tensors)
    {
        using var writer = new SafetensorsWriter(path, [.. tensors.Select(t => (t.Name, DType.F32, t.Shape))]);
        foreach (var (name, shape) in tensors)
        {
            writer.WriteTensor(name, Enumerable.Range(0, (int)shape.ElementCount).Select(i => 0.01f * (i % 7 - 3)).ToArray().AsSpan());
        }
        writer.Commit();
    }
}
