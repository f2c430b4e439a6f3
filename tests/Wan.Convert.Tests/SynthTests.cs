using Wan.Convert.Configs;
using Wan.Convert.Conversion;
using Wan.Convert.Inspection;
using Wan.Convert.Pth;
using Wan.Convert.Synth;
using Wan.Runtime.Text;
using Wan.Testing;
using Wan.Convert.Weights;
using Wan.Runtime.Weights;

namespace Wan.Convert.Tests;

public sealed class SynthTests
{
    private static readonly string[] Components = ["transformer", "transformer_2", "text_encoder", "vae"];

    [Category("Golden")]
    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void SynthesizedModelHasTheFixtureNamesAndShapes(FixtureSet? set)
    {
        var dir = Fixtures.Require(set).Directory;
        var original = Path.Combine(dir, "original");
        WanModelConfig config;
        using (var fixture = ModelDirectory.Open(original))
        {
            var settings = new JsonSettings().Add(Path.Combine(original, "wan_config.json"));
            var experts = fixture.Components.Where(c => c.Kind == ComponentKind.Transformer).Select(c => c.Source).ToList();
            config = ConfigResolver.Resolve(experts, fixture.Components.Single(c => c.Kind == ComponentKind.TextEncoder).Source,
                fixture.Components.Single(c => c.Kind == ComponentKind.Vae).Source, settings);
        }
        using var tmp = new TempDirectory();
        var dst = tmp.Combine("synth");
        Synthesizer.Write(config, "fixture", dst, new SynthOptions());
        foreach (var component in Components.Where(c => Directory.Exists(Path.Combine(dir, "diffusers", c))))
        {
            using var expected = SafetensorsCheckpoint.Open(Path.Combine(dir, "diffusers", component));
            using var actual = SafetensorsCheckpoint.Open(Path.Combine(dst, component));
            var want = expected.Names.Order(StringComparer.Ordinal).Select(n => (n, expected.Get(n).Shape)).ToList();
            var got = actual.Names.Order(StringComparer.Ordinal).Select(n => (n, actual.Get(n).Shape)).ToList();
            Assert.That(got, Is.EqualTo(want), component);
        }
    }

    [Test]
    public void TinyPresetIsSmallLoadableAndFinite()
    {
        using var tmp = new TempDirectory();
        var dst = tmp.Combine("tiny");
        var config = Synthesizer.Write("tiny", dst, new SynthOptions(Seed: 5));
        Assert.That(config.Dit.Dim, Is.EqualTo(96));
        Assert.That(config.Dit.Heads, Is.EqualTo(3));
        var bytes = Directory.GetFiles(dst, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        Assert.That(bytes, Is.LessThan(10_000_000));
        foreach (var component in Components)
        {
            using var ckpt = SafetensorsCheckpoint.Open(Path.Combine(dst, component));
            Assert.That(File.Exists(Path.Combine(dst, component, "config.json")), Is.True);
            foreach (var name in ckpt.Names)
            {
                var values = ckpt.Get(name).ToFloatArray();
                Assert.That(values.All(float.IsFinite), Is.True, name);
                if (name.EndsWith(".gamma", StringComparison.Ordinal) || name.Contains("norm_q", StringComparison.Ordinal) || name.EndsWith("layer_norm.weight", StringComparison.Ordinal))
                {
                    Assert.That(values.All(v => v == 1f), Is.True, $"{name} is a norm: ones");
                }
                else if (values.Length > 1000)
                {
                    var rms = Math.Sqrt(values.Average(v => (double)v * v));
                    Assert.That(rms, Is.EqualTo(0.02).Within(0.002), $"{name} rms");
                }
            }
        }
        using (var dit = SafetensorsCheckpoint.Open(Path.Combine(dst, "transformer")))
        using (var dit2 = SafetensorsCheckpoint.Open(Path.Combine(dst, "transformer_2")))
        {
            Assert.That(dit.Names.Order(StringComparer.Ordinal), Does.Contain("blocks.1.attn2.to_out.0.weight").And.Contain("condition_embedder.time_proj.weight"));
            Assert.That(dit.Get("proj_out.weight").ToFloatArray(), Is.Not.EqualTo(dit2.Get("proj_out.weight").ToFloatArray()), "experts differ");
        }
        var index = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(dst, "model_index.json")))!;
        Assert.That(index["boundary_ratio"]!.GetValue<double>(), Is.EqualTo(0.875));
        var scheduler = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(dst, "scheduler", "scheduler_config.json")))!;
        Assert.That(scheduler["flow_shift"]!.GetValue<double>(), Is.EqualTo(12.0));
    }

    [Test]
    public void SentencePieceModelParsesWithT5SpecialIds()
    {
        using var tmp = new TempDirectory();
        var path = tmp.Combine("spiece.model");
        SentencePieceModelWriter.Write(path);
        var model = SentencePieceModel.Load(path);
        var pieces = model.Pieces;
        Assert.That(pieces.Take(3).Select(p => (p.Piece, p.Type)),
            Is.EqualTo(new[] { ("<pad>", SentencePieceType.Control), ("</s>", SentencePieceType.Control), ("<unk>", SentencePieceType.Unknown) }));
        Assert.That(pieces, Has.Count.InRange(200, 1000));
        Assert.That(pieces.Select(p => p.Piece), Does.Contain("\u2581the").And.Contain("\u2581a").And.Contain("z"));
        Assert.That(pieces.Select(p => p.Piece).Distinct().Count(), Is.EqualTo(pieces.Count));
        var t = model.TrainerSpec;
        Assert.That((t.ModelType, t.UnkId, t.BosId, t.EosId, t.PadId), Is.EqualTo((SentencePieceTrainerSpec.UnigramModelType, 2, -1, 1, 0)));
        Assert.That(model.NormalizerSpec.Name, Is.EqualTo("identity"));
        Assert.That(Directory.GetFiles(tmp.Path), Is.EqualTo(new[] { path }), "no temporary file left");
    }

    [Test]
    public void OriginalLayoutSynthConvertsAndVerifies()
    {
        using var tmp = new TempDirectory();
        var original = tmp.Combine("orig");
        var diffusers = tmp.Combine("diff");
        Synthesizer.Write("tiny", original, new SynthOptions(Seed: 9, OriginalLayout: true, MaxShardBytes: 500_000));
        Synthesizer.Write("tiny", diffusers, new SynthOptions(Seed: 9));
        using (var t5 = PthCheckpoint.Open(Path.Combine(original, "models_t5_umt5-xxl-enc-bf16.pth")))
        {
            Assert.That(t5.Get("token_embedding.weight").DType, Is.EqualTo(Wan.Runtime.Tensors.DType.BF16));
        }
        var converted = tmp.Combine("converted");
        ToDiffusersConverter.Convert(original, converted, new ConvertOptions());
        Assert.That(Verifier.Verify(converted, original).Problems, Is.Empty);
        var diff = Differ.Diff(converted, diffusers);
        Assert.That(diff.Select(d => d.Component).Distinct(), Is.EqualTo(new[] { "text_encoder" }), "only T5 differs (bf16 in the .pth)");
        Assert.That(diff.Max(d => d.RelativeL2!.Value), Is.LessThan(4e-3).And.GreaterThan(0));
    }
}
