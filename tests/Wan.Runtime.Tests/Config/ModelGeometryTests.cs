using Wan.Errors;
using Wan.Runtime.Config;
using Wan.Testing;

namespace Wan.Runtime.Tests.Config;

/// <summary>The geometry comes from each fixture model's configs, and a model that cannot run is refused at load naming the file and key.</summary>
[Category("Golden")]
public class ModelGeometryTests
{
    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void GeometryIsReadFromTheConfigs(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var model = new ConfigOnlyModel(set.Diffusers);
        var vaeZ = (int)model.Get("vae/config.json", "z_dim")!;
        var stages = model.Get("vae/config.json", "dim_mult")!.AsArray().Count;
        var timeHalvings = model.Get("vae/config.json", "temperal_downsample")!.AsArray().Count(v => (bool)v!);
        var patch = model.Get("transformer/config.json", "patch_size")!.AsArray().Select(v => (int)v!).ToArray();

        var geometry = ModelGeometry.Load(model.Directory);

        Assert.That(geometry, Is.EqualTo(new ModelGeometry(vaeZ, 1 << timeHalvings, 1 << (stages - 1), (patch[0], patch[1], patch[2]),
            (int?)model.Get("transformer/config.json", "rope_max_seq_len") ?? 1024)));

        // A different, consistent geometry is followed, not a constant: 4 latent channels, 2x time, patch (1, 4, 4).
        model.Set("vae/config.json", ("z_dim", "4"), ("latents_mean", "[0, 0, 0, 0]"), ("latents_std", "[1, 1, 1, 1]"), ("scale_factor_temporal", "2"), ("temperal_downsample", $"[{string.Join(", ", Enumerable.Range(0, stages - 1).Select(i => i == 0 ? "true" : "false"))}]"));
        foreach (var dit in new[] { "transformer/config.json", "transformer_2/config.json" }.Where(model.Has))
        {
            model.Set(dit, ("in_channels", "4"), ("out_channels", "4"), ("patch_size", "[1, 4, 4]"));
        }
        Assert.That(ModelGeometry.Load(model.Directory), Is.EqualTo(new ModelGeometry(4, 2, 1 << (stages - 1), (1, 4, 4), geometry.RopeMaxPositions)));
    }

    private static IEnumerable<TestCaseData> Refusals()
    {
        if (Fixtures.Sets.Count == 0)
        {
            yield return new TestCaseData(null, "", Array.Empty<(string, string)>(), "", "", "").SetName($"NoFixtureSetFound({Fixtures.Root})");
        }
        foreach (var set in Fixtures.Sets)
        {
            TestCaseData Case(string name, string file, string key, string expected, params (string Key, string Json)[] edits) =>
                new TestCaseData(set, file, edits, file, key, expected).SetName($"{set.Name}/{name}");
            yield return Case("ImageToVideoInChannels", "transformer/config.json", "in_channels", "image-to-video", ("in_channels", "36"));
            yield return Case("ImageToVideoImageDim", "transformer/config.json", "image_dim", "image-to-video", ("in_channels", "36"), ("image_dim", "1280"));
            yield return Case("ImageToVideoAddedKv", "transformer/config.json", "added_kv_proj_dim", "image-to-video", ("added_kv_proj_dim", "5120"));
            yield return Case("FirstLastFrame", "transformer/config.json", "pos_embed_seq_len", "first-last-frame", ("pos_embed_seq_len", "514"));
            yield return Case("TwoBillionHeads", "transformer/config.json", "num_attention_heads × attention_head_dim", "2000000000 × ", ("num_attention_heads", "2000000000"));
            yield return Case("NegativeLayers", "transformer/config.json", "num_layers", "positive integer", ("num_layers", "-3"));
            yield return Case("OddHeadDim", "transformer/config.json", "attention_head_dim", "must be even", ("attention_head_dim", "33"));
            yield return Case("VaeZDimNotDitInput", "vae/config.json", "z_dim", "in_channels", ("z_dim", "4"), ("latents_mean", "[0, 0, 0, 0]"), ("latents_std", "[1, 1, 1, 1]"));
            yield return Case("VaeTooManyStages", "vae/config.json", "dim_mult", "2 to 17", ("dim_mult", $"[{string.Join(", ", Enumerable.Repeat(1, 40))}]"));
            yield return Case("VaeStrideDisagrees", "vae/config.json", "scale_factor_spatial", "disagrees with dim_mult", ("scale_factor_spatial", "16"));
            yield return new TestCaseData(set, "text_encoder/config.json", new[] { ("d_model", "7") }, "transformer/config.json", "text_dim", "'d_model' 7")
                .SetName($"{set.Name}/TextDimNotTextEncoderWidth");
            yield return new TestCaseData(set, "text_encoder/config.json", new[] { ("num_heads", "2000000000") }, "text_encoder/config.json", "num_heads × d_kv (attention width)", "larger than 2,147,483,647")
                .SetName($"{set.Name}/TextAttentionWidthOverflows");
            yield return new TestCaseData(set, "transformer_2/config.json", new[] { ("patch_size", "[1, 4, 4]") }, "transformer_2/config.json", "patch_size", "both experts")
                .SetName($"{set.Name}/ExpertsDisagree");
        }
    }

    [TestCaseSource(nameof(Refusals))]
    public void UnrunnableConfigIsRefusedNamingFileAndKey(FixtureSet? set, string edited, (string Key, string Json)[] edits, string named, string key, string expected)
    {
        set = Fixtures.Require(set);
        using var model = new ConfigOnlyModel(set.Diffusers);
        if (!model.Has(edited))
        {
            Assert.Ignore($"{set.Name} has no {edited}");
        }
        model.Set(edited, edits);

        var e = Assert.Throws<ConfigException>(() => ModelGeometry.Load(model.Directory))!;

        Assert.That((e.FilePath, e.Key), Is.EqualTo((model.PathOf(named), key)));
        Assert.That(e.Message, Does.StartWith($"{model.PathOf(named)}: '{key}' ").And.Contain(expected));
        Assert.That(e.Message, Does.Not.Contain("\n").And.Not.Match(@"-\d{4}"), "one line, no wrapped (negative) size");
    }

    [Test]
    public void FileOrMissingFolderIsNamedForWhatItIs()
    {
        var file = Path.GetTempFileName();
        try
        {
            var e = Assert.Throws<ModelFileException>(() => ModelGeometry.Load(file))!;
            Assert.That(e.Message, Does.StartWith($"{file}: is a file").And.Contain("model_index.json").And.Contain("wan-convert to-diffusers"));
        }
        finally
        {
            File.Delete(file);
        }
        var missing = Path.Combine(Path.GetTempPath(), "wan-no-such-model-" + Guid.NewGuid());
        Assert.That(Assert.Throws<ModelFileException>(() => ModelGeometry.Load(missing))!.Message, Is.EqualTo($"{missing}: does not exist (expected a diffusers model folder with model_index.json)"));
    }
}
