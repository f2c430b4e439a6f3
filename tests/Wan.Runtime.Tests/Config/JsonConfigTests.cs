using Wan.Errors;
using Wan.Runtime.Config;

namespace Wan.Runtime.Tests.Config;

/// <summary>The one config reader: typed values, dotted keys, and every error a <see cref="ConfigException"/> naming the file and key.</summary>
public class JsonConfigTests
{
    private const string Source = "/m/transformer/config.json";

    private static JsonConfig Parse(string json) => JsonConfig.Parse(json, Source);

    [Test]
    public void ReadsTypedValuesAndNestedKeys()
    {
        var c = Parse("""{"a": 3, "b": 0.5, "c": true, "d": "x", "e": [1, 2], "dit": {"num_heads": 12, "eps": null}, "n": null}""");
        Assert.That((c.Int("a"), c.Double("b"), c.Bool("c"), c.String("d")), Is.EqualTo((3, 0.5, true, "x")));
        Assert.That(c.IntArray("e"), Is.EqualTo(new[] { 1, 2 }));
        Assert.That(c.Int("dit.num_heads"), Is.EqualTo(12));
        Assert.That((c.Has("dit.eps"), c.Has("n"), c.Has("zz"), c.Int("n", 7)), Is.EqualTo((false, false, false, 7)), "null means absent: the default applies");
    }

    [TestCase("""{"a": "3"}""", "a", "must be a positive integer, found \"3\"")]
    [TestCase("""{"a": 3000000000}""", "a", "must be a positive integer, found 3000000000")]
    [TestCase("""{"a": 0}""", "a", "must be a positive integer, found 0")]
    [TestCase("""{"b": 1}""", "a", "is missing (required)")]
    public void BadValueNamesFileAndKey(string json, string key, string problem)
    {
        var e = Assert.Throws<ConfigException>(() => Parse(json).PositiveInt("a"))!;
        Assert.That((e.Message, e.Key), Is.EqualTo(($"{Source}: '{key}' {problem}", key)));
    }

    [Test]
    public void ProductsAreCheckedIn64BitsAndNamed()
    {
        var c = Parse("{}");
        Assert.That(c.Product("x × y", int.MaxValue, 40, 128), Is.EqualTo(5120));
        var e = Assert.Throws<ConfigException>(() => c.Product("num_attention_heads × attention_head_dim", int.MaxValue, 2_000_000_000, 128))!;
        Assert.That(e.Message, Is.EqualTo($"{Source}: 'num_attention_heads × attention_head_dim' give a size of 2000000000 × 128 = 256,000,000,000, larger than 2,147,483,647: no such model can run"));
        var beyond = Assert.Throws<ConfigException>(() => c.Product("a × b × c", long.MaxValue, int.MaxValue, int.MaxValue, int.MaxValue))!;
        Assert.That(beyond.Message, Does.Contain("= 9,903,520,300,447,984,150,353,281,023, larger than 9,223,372,036,854,775,807"), "exact, not wrapped");
    }

    [Test]
    public void UnsupportedKeyMustBeAbsent()
    {
        var c = Parse("""{"image_dim": 1280, "pos_embed_seq_len": null}""");
        Assert.DoesNotThrow(() => c.RequireAbsent("pos_embed_seq_len", "unused"));
        var e = Assert.Throws<ConfigException>(() => c.RequireAbsent("image_dim", "an image-to-video transformer"))!;
        Assert.That(e.Message, Is.EqualTo($"{Source}: 'image_dim' is 1280: an image-to-video transformer"));
    }

    [Test]
    public void WholeFileProblemsNameTheFile()
    {
        Assert.That(Assert.Throws<ConfigException>(() => Parse("[1, 2]"))!.Message, Is.EqualTo($"{Source}: expected a JSON object, found Array"));
        Assert.That(Assert.Throws<ConfigException>(() => Parse("{\"a\": "))!.Message, Does.StartWith($"{Source}: not valid JSON ("));
        var dir = Directory.CreateTempSubdirectory("wan-jsonconfig-").FullName;
        try
        {
            Assert.That(Assert.Throws<ConfigException>(() => JsonConfig.Load(dir))!.Message, Is.EqualTo($"{dir}: is a folder, expected a JSON config file"));
            var missing = Path.Combine(dir, "config.json");
            Assert.That(Assert.Throws<ConfigException>(() => JsonConfig.Load(missing))!.Message, Is.EqualTo($"{missing}: config file not found"));
            // A symbolic link (the Hugging Face cache layout) is followed.
            File.WriteAllText(Path.Combine(dir, "blob"), """{"z_dim": 16}""");
            File.CreateSymbolicLink(missing, "blob");
            Assert.That(JsonConfig.Load(missing).Int("z_dim"), Is.EqualTo(16));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
