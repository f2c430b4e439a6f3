using Wan.Errors;
using System.Text.Json.Nodes;
using Wan.Runtime.Config;

namespace Wan.Runtime.Tests.Models;

public class Umt5ConfigTests
{
    private string _root = "";

    [SetUp]
    public void CreateDirectory()
    {
        _root = Path.Combine(Path.GetTempPath(), "umt5-config-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_root);
    }

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_root, true);

    /// <summary>The umT5-XXL text_encoder/config.json values of Wan2.2-T2V-A14B-Diffusers.</summary>
    private static JsonObject XxlConfig() => new()
    {
        ["architectures"] = new JsonArray("UMT5EncoderModel"),
        ["d_ff"] = 10240,
        ["d_kv"] = 64,
        ["d_model"] = 4096,
        ["dense_act_fn"] = "gelu_new",
        ["feed_forward_proj"] = "gated-gelu",
        ["layer_norm_epsilon"] = 1e-6,
        ["model_type"] = "umt5",
        ["num_heads"] = 64,
        ["num_layers"] = 24,
        ["relative_attention_max_distance"] = 128,
        ["relative_attention_num_buckets"] = 32,
        ["vocab_size"] = 256384,
    };

    private string Write(JsonObject config)
    {
        File.WriteAllText(Path.Combine(_root, "config.json"), config.ToJsonString());
        return _root;
    }

    [Test]
    public void XxlConfigReadsEveryValue()
    {
        var c = Umt5Config.Load(Write(XxlConfig()));
        Assert.That(c, Is.EqualTo(new Umt5Config(DModel: 4096, DKv: 64, DFf: 10240, NumHeads: 64, NumLayers: 24,
            RelativeAttentionNumBuckets: 32, RelativeAttentionMaxDistance: 128, LayerNormEpsilon: 1e-6f, VocabSize: 256384)));
        Assert.That(c.InnerDim, Is.EqualTo(4096));
    }

    [TestCase("d_model")]
    [TestCase("d_kv")]
    [TestCase("d_ff")]
    [TestCase("num_heads")]
    [TestCase("num_layers")]
    [TestCase("relative_attention_num_buckets")]
    [TestCase("relative_attention_max_distance")]
    [TestCase("layer_norm_epsilon")]
    [TestCase("vocab_size")]
    [TestCase("feed_forward_proj")]
    public void MissingKeyIsNamedWithTheFile(string key)
    {
        var config = XxlConfig();
        config.Remove(key);
        var e = Assert.Throws<ConfigException>(() => Umt5Config.Load(Write(config)));
        Assert.That(e!.Message, Does.Contain(Path.Combine(_root, "config.json")).And.Contain($"'{key}' is missing"));
    }

    [TestCase("d_model", "\"4096\"", "positive integer")]
    [TestCase("num_heads", "0", "positive integer")]
    [TestCase("d_kv", "64.5", "positive integer")]
    [TestCase("layer_norm_epsilon", "-1e-6", "positive finite number")]
    [TestCase("feed_forward_proj", "\"relu\"", "'relu', but the umT5 encoder needs 'gated-gelu'")]
    [TestCase("feed_forward_proj", "3", "must be a string")]
    [TestCase("relative_attention_num_buckets", "2", "need at least 4")]
    [TestCase("relative_attention_max_distance", "8", "must exceed")]
    public void InvalidValueIsNamed(string key, string json, string problem)
    {
        var config = XxlConfig();
        config[key] = JsonNode.Parse(json);
        var e = Assert.Throws<ConfigException>(() => Umt5Config.Load(Write(config)));
        Assert.That(e!.Message, Does.Contain($"'{key}'").And.Contain(problem));
    }

    [Test]
    public void CorruptOrAbsentFileIsReported()
    {
        File.WriteAllText(Path.Combine(_root, "config.json"), "{\"d_model\": 4096,");
        Assert.That(Assert.Throws<ConfigException>(() => Umt5Config.Load(_root))!.Message, Does.Contain("not valid JSON"));
        File.WriteAllText(Path.Combine(_root, "config.json"), "[1, 2]");
        Assert.That(Assert.Throws<ConfigException>(() => Umt5Config.Load(_root))!.Message, Does.Contain("expected a JSON object"));
        File.Delete(Path.Combine(_root, "config.json"));
        Assert.That(Assert.Throws<ConfigException>(() => Umt5Config.Load(_root))!.Message, Does.Contain("config file not found"));
    }
}
