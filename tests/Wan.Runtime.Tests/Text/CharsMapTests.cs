using System.Text;
using Wan.Testing;
using Wan.Runtime.Text;

namespace Wan.Runtime.Tests.Text;

public class CharsMapTests
{
    // A hand-built double array holding "a" -> 5 and "abc" -> 9: root offset 1; 'a' at 1^0x61 = 96
    // (leaf, offset 1 -> value unit 97); 'b' at 97^0x62 = 3 (offset 4); 'c' at 7^0x63 = 100 (leaf,
    // offset 1 -> value unit 101). Padded to one 256-unit block as Darts pads.
    private static byte[] TinyTrie()
    {
        var units = new uint[256];
        units[0] = 1u << 10;
        units[96] = 0x61 | (1u << 8) | (1u << 10);
        units[97] = (1u << 31) | 5;
        units[3] = 0x62 | (4u << 10);
        units[100] = 0x63 | (1u << 8) | (1u << 10);
        units[101] = (1u << 31) | 9;
        return [.. units.SelectMany(BitConverter.GetBytes)];
    }

    [TestCase("abcd", 3, 9)]
    [TestCase("abx", 1, 5)]
    [TestCase("ab", 1, 5)]
    [TestCase("b", 0, 0)]
    [TestCase("", 0, 0)]
    public void DoubleArrayFindsLongestPrefix(string key, int length, int value)
    {
        var trie = new DartsDoubleArray(TinyTrie());
        Assert.That(trie.LongestPrefix(Encoding.ASCII.GetBytes(key)), Is.EqualTo((length, value)));
    }

    [Test]
    public void CharsMapReturnsTheReplacementString()
    {
        var trie = TinyTrie();
        var replacements = "A\0XYZ\0"u8.ToArray();
        var blob = BitConverter.GetBytes((uint)trie.Length).Concat(trie).Concat(replacements).ToArray();
        // Values of the tiny trie are 5 and 9; shift them to the two strings at offsets 0 and 2.
        BitConverter.GetBytes((1u << 31) | 0).CopyTo(blob, 4 + 97 * 4);
        BitConverter.GetBytes((1u << 31) | 2).CopyTo(blob, 4 + 101 * 4);
        var map = new PrecompiledCharsMap(blob);
        var (consumed, replacement) = map.Match("abcz"u8);
        Assert.That((consumed, Encoding.UTF8.GetString(replacement.Span)), Is.EqualTo((3, "XYZ")));
        (consumed, replacement) = map.Match("aq"u8);
        Assert.That((consumed, Encoding.UTF8.GetString(replacement.Span)), Is.EqualTo((1, "A")));
        Assert.That(map.Match("q"u8).Consumed, Is.Zero);
    }

    [Test]
    public void BrokenCharsMapsAreRejected()
    {
        Assert.That(() => new PrecompiledCharsMap([1, 0, 0]), Throws.TypeOf<InvalidDataException>().With.Message.Contains("too short"));
        Assert.That(() => new PrecompiledCharsMap([200, 0, 0, 0, 1, 2, 3, 4]), Throws.TypeOf<InvalidDataException>().With.Message.Contains("exceeds"));
        var trie = TinyTrie();
        var pointsOutside = BitConverter.GetBytes((uint)trie.Length).Concat(trie).Concat("x\0"u8.ToArray()).ToArray();
        Assert.That(() => new PrecompiledCharsMap(pointsOutside).Match("abc"u8), Throws.TypeOf<InvalidDataException>().With.Message.Contains("beyond its 2-byte string blob"));
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    [Category("Golden")]
    public void FixtureNfkcRulesApply(FixtureSet? set)
    {
        var s = Fixtures.Require(set);
        var model = SentencePieceModel.Load(Path.Combine(s.Original, "tokenizer", Umt5Tokenizer.ModelFileName));
        var normalizer = new SentencePieceNormalizer(model.NormalizerSpec, false, null);
        string Normalize(string text) => Encoding.UTF8.GetString(normalizer.Normalize(Encoding.UTF8.GetBytes(text)));
        Assert.Multiple(() =>
        {
            Assert.That(Normalize("Ｆｕｌｌ　①ﬁ"), Is.EqualTo("\u2581Full\u25811fi"));
            Assert.That(Normalize("  a \t\n b  "), Is.EqualTo("\u2581a\u2581b"));
            Assert.That(Normalize("e\u0301"), Is.EqualTo("\u2581\u00E9"), "longest rule composes e + combining acute");
            Assert.That(Normalize(""), Is.Empty);
            Assert.That(Normalize(" \u3000 "), Is.Empty);
        });
    }
}
