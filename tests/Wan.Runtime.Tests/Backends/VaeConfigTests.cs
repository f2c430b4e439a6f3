using Wan.Errors;
using Wan.Runtime.Config;

namespace Wan.Runtime.Tests.Backends;

public class VaeConfigTests
{
    private const string Valid = """
        {
          "_class_name": "AutoencoderKLWan",
          "attn_scales": [],
          "base_dim": 6,
          "decoder_base_dim": null,
          "dim_mult": [1, 2, 3],
          "is_residual": false,
          "latents_mean": [0.5, -1.25, 2.0],
          "latents_std": [1.5, 0.75, 3.0],
          "num_res_blocks": 3,
          "patch_size": null,
          "temperal_downsample": [true, false],
          "z_dim": 3
        }
        """;

    [Test]
    public void ParsesTheAutoencoderKLWanKeys()
    {
        var config = VaeConfig.Parse(Valid, "test.json");

        Assert.That(config.BaseDim, Is.EqualTo(6));
        Assert.That(config.ZDim, Is.EqualTo(3));
        Assert.That(config.DimMult, Is.EqualTo(new[] { 1, 2, 3 }));
        Assert.That(config.NumResBlocks, Is.EqualTo(3));
        Assert.That(config.TemporalDownsample, Is.EqualTo(new[] { true, false }));
        Assert.That(config.LatentsMean, Is.EqualTo(new[] { 0.5f, -1.25f, 2.0f }));
        Assert.That(config.LatentsStd, Is.EqualTo(new[] { 1.5f, 0.75f, 3.0f }));
        Assert.That((config.InChannels, config.OutChannels), Is.EqualTo((3, 3)));
        Assert.That((config.SpatialScale, config.TemporalScale), Is.EqualTo((4, 2)));
    }

    [TestCase("\"z_dim\": 3", "\"z_dim\": 4", "latents_mean")]
    [TestCase("\"num_res_blocks\": 3,", "", "num_res_blocks")]
    [TestCase("\"base_dim\": 6", "\"base_dim\": \"six\"", "base_dim")]
    [TestCase("[true, false]", "[true]", "temperal_downsample")]
    [TestCase("\"is_residual\": false", "\"is_residual\": true", "is_residual")]
    [TestCase("\"attn_scales\": []", "\"attn_scales\": [1.0]", "attn_scales")]
    [TestCase("\"patch_size\": null", "\"patch_size\": 2", "patch_size")]
    [TestCase("[1.5, 0.75, 3.0]", "[1.5, 0.0, 3.0]", "latents_std")]
    [TestCase("AutoencoderKLWan", "AutoencoderKL", "_class_name")]
    [TestCase("\"dim_mult\": [1, 2, 3]", "\"dim_mult\": [1, 2, 3", "JSON")]
    public void RejectsBadConfigsNamingTheKey(string original, string replacement, string named)
    {
        var json = Valid.Replace(original, replacement, StringComparison.Ordinal);
        Assert.That(json, Is.Not.EqualTo(Valid), "the test edit must change the config");

        var e = Assert.Throws<ConfigException>(() => VaeConfig.Parse(json, "bad/config.json"));

        Assert.That(e!.Message, Does.Contain("bad/config.json").And.Contain(named));
    }

    [Test]
    public void LoadReportsAMissingFile()
    {
        var path = Path.Combine(Path.GetTempPath(), "no-such-dir-" + Guid.NewGuid(), "config.json");

        var e = Assert.Throws<ConfigException>(() => VaeConfig.Load(path));

        Assert.That(e!.Message, Does.Contain(path));
    }
}
