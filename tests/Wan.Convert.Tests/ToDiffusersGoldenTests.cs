using System.Text.Json.Nodes;
using Wan.Convert.Conversion;
using Wan.Convert.Inspection;
using Wan.Convert.Precision;
using Wan.Testing;
using Wan.Runtime.Weights;

namespace Wan.Convert.Tests;

/// <summary>Converting each fixture set's original/ reproduces its diffusers/ (names, shapes, values, configs).</summary>
[Category("Golden")]
public sealed class ToDiffusersGoldenTests
{
    private static readonly string[] Components = ["transformer", "transformer_2", "text_encoder", "vae"];

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void ConvertedOriginalEqualsFixtureDiffusers(FixtureSet? set)
    {
        var dir = Fixtures.Require(set).Directory;
        using var tmp = new TempDirectory();
        var dst = tmp.Combine("out");
        // A small shard limit forces several shards and an index for every component.
        ToDiffusersConverter.Convert(Path.Combine(dir, "original"), dst, new ConvertOptions(MaxShardBytes: 400_000));

        var expectedRoot = Path.Combine(dir, "diffusers");
        foreach (var component in Components.Where(c => Directory.Exists(Path.Combine(expectedRoot, c))))
        {
            using var expected = SafetensorsCheckpoint.Open(Path.Combine(expectedRoot, component));
            using var actual = SafetensorsCheckpoint.Open(Path.Combine(dst, component));
            Assert.That(actual.Names.Order(StringComparer.Ordinal), Is.EqualTo(expected.Names.Order(StringComparer.Ordinal)), component);
            foreach (var name in expected.Names)
            {
                var e = expected.Get(name);
                var a = actual.Get(name);
                Assert.That((a.DType, a.Shape), Is.EqualTo((e.DType, e.Shape)), $"{component}/{name}");
                Assert.That(a.ToByteArray().SequenceEqual(e.ToByteArray()), Is.True, $"{component}/{name} values");
            }
            AssertConfigEquivalent(Path.Combine(expectedRoot, component, "config.json"), Path.Combine(dst, component, "config.json"));
        }
        AssertConfigEquivalent(Path.Combine(expectedRoot, "model_index.json"), Path.Combine(dst, "model_index.json"));
        AssertConfigEquivalent(Path.Combine(expectedRoot, "scheduler", "scheduler_config.json"), Path.Combine(dst, "scheduler", "scheduler_config.json"), "flow_shift");
        var wanConfig = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "original", "wan_config.json")))!;
        var scheduler = JsonNode.Parse(File.ReadAllText(Path.Combine(dst, "scheduler", "scheduler_config.json")))!;
        Assert.That(scheduler["flow_shift"]!.GetValue<double>(), Is.EqualTo(wanConfig["sample_shift"]!.GetValue<double>()), "flow_shift is the official sample_shift");
        foreach (var file in Directory.GetFiles(Path.Combine(expectedRoot, "tokenizer")))
        {
            Assert.That(File.ReadAllBytes(Path.Combine(dst, "tokenizer", Path.GetFileName(file))), Is.EqualTo(File.ReadAllBytes(file)), file);
        }

        var verify = Verifier.Verify(dst, Path.Combine(dir, "original"));
        Assert.That(verify.Problems, Is.Empty);
        Assert.That(verify.TensorsChecked, Is.GreaterThan(0));
        Assert.That(Differ.Diff(dst, expectedRoot), Is.Empty);
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void ReducedPrecisionConversionsVerify(FixtureSet? set)
    {
        var dir = Fixtures.Require(set).Directory;
        var original = Path.Combine(dir, "original");
        using var tmp = new TempDirectory();
        foreach (var precision in new[] { TargetPrecision.Bf16, TargetPrecision.Fp16, TargetPrecision.Fp8PerTensor, TargetPrecision.Fp8PerChannel })
        {
            var dst = tmp.Combine(precision.ToString());
            var result = ToDiffusersConverter.Convert(original, dst, new ConvertOptions(precision));
            var verify = Verifier.Verify(dst, original);
            Assert.That(verify.Problems, Is.Empty, precision.ToString());
            using var transformer = SafetensorsCheckpoint.Open(Path.Combine(dst, "transformer"));
            Assert.That(transformer.Get("blocks.0.norm2.bias").DType, Is.EqualTo(Wan.Runtime.Tensors.DType.F32), "biases stay fp32");
            var matrix = transformer.Get("blocks.0.attn1.to_q.weight");
            if (precision is TargetPrecision.Fp8PerTensor or TargetPrecision.Fp8PerChannel)
            {
                Assert.That(matrix.DType, Is.EqualTo(Wan.Runtime.Tensors.DType.F8E4M3));
                var scale = transformer.Get("blocks.0.attn1.to_q.weight" + Wan.Runtime.Weights.Transforms.ScaledFp8.ScaleSuffix);
                Assert.That(scale.ElementCount, Is.EqualTo(precision == TargetPrecision.Fp8PerChannel ? matrix.Shape[0] : 1));
                var errors = result.Tensors.Where(t => t.Fp8RelativeError is not null).Select(t => t.Fp8RelativeError!.Value).ToList();
                Assert.That(errors, Is.Not.Empty);
                Assert.That(errors.Max(), Is.LessThan(0.08).And.GreaterThan(0));
                Assert.That(verify.Fp8Errors, Has.Count.EqualTo(errors.Count));
            }
            else
            {
                Assert.That(matrix.DType, Is.EqualTo(precision == TargetPrecision.Bf16 ? Wan.Runtime.Tensors.DType.BF16 : Wan.Runtime.Tensors.DType.F16));
            }
        }
    }

    private static void AssertConfigEquivalent(string expectedPath, string actualPath, params string[] ignored)
    {
        var expected = JsonNode.Parse(File.ReadAllText(expectedPath))!.AsObject();
        var actual = JsonNode.Parse(File.ReadAllText(actualPath))!.AsObject();
        foreach (var (key, value) in expected)
        {
            if (key == "_diffusers_version" || ignored.Contains(key))
            {
                continue;
            }
            Assert.That(actual.ContainsKey(key), Is.True, $"{actualPath}: missing '{key}'");
            Assert.That(JsonNode.DeepEquals(Normalize(actual[key]), Normalize(value)), Is.True, $"{actualPath}: '{key}' = {actual[key]?.ToJsonString()}, expected {value?.ToJsonString()}");
        }
    }

    /// <summary>Numbers compare by value (1e-06 and 0.000001 are the same setting).</summary>
    private static JsonNode? Normalize(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<double>(out var d) => JsonValue.Create(d),
        JsonArray a => new JsonArray([.. a.Select(Normalize)]),
        _ => node?.DeepClone(),
    };
}
