using Wan.Testing;
using Wan.Runtime.Text;

namespace Wan.Runtime.Tests.Text;

public class Umt5TokenizerTests
{
    private static Umt5Tokenizer Letters() => ModelProtoBuilder.T5Style()
        .Add("\u2581", -1).Add("a", -2).Add("b", -2).Add("c", -2).BuildTokenizer();

    [Test]
    public void ShortTextIsPaddedWithMask()
    {
        var t = Letters().Encode("ab c", 9);
        Assert.Multiple(() =>
        {
            Assert.That(t.Ids, Is.EqualTo(new[] { 3, 4, 5, 3, 6, 1 }));
            Assert.That(t.Padded, Is.EqualTo(new[] { 3, 4, 5, 3, 6, 1, 0, 0, 0 }));
            Assert.That(t.Mask, Is.EqualTo(new[] { 1, 1, 1, 1, 1, 1, 0, 0, 0 }));
            Assert.That(t.Truncated, Is.False);
        });
    }

    [Test]
    public void LongTextKeepsFirstPiecesThenEos()
    {
        var tokenizer = Letters();
        var text = string.Concat(Enumerable.Repeat("abc", 7));
        var pieces = tokenizer.EncodePieces(text);
        Assert.That(pieces, Has.Length.EqualTo(22));
        foreach (var maxLength in new[] { 1, 5, 22 })
        {
            var t = tokenizer.Encode(text, maxLength);
            Assert.Multiple(() =>
            {
                Assert.That(t.Ids, Is.EqualTo(pieces.Take(maxLength - 1).Append(1).ToArray()), $"maxLength {maxLength}");
                Assert.That(t.Padded, Is.EqualTo(t.Ids));
                Assert.That(t.Mask, Is.All.EqualTo(1));
                Assert.That(t.Truncated, Is.True);
            });
        }
        Assert.That(tokenizer.Encode(text, 23).Truncated, Is.False);
    }

    [Test]
    public void EmptyAndWhitespaceTextGiveOnlyEos()
    {
        var tokenizer = Letters();
        Assert.That(tokenizer.Encode("", 4).Ids, Is.EqualTo(new[] { 1 }));
        Assert.That(tokenizer.Encode("   ", 4).Padded, Is.EqualTo(new[] { 1, 0, 0, 0 }));
    }

    [Test]
    public void NonPositiveMaxLengthIsRejected() =>
        Assert.That(() => Letters().Encode("a", 0), Throws.TypeOf<ArgumentOutOfRangeException>());

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    [Category("Golden")]
    public void FixtureModelLoadsWithT5Layout(FixtureSet? set)
    {
        var s = Fixtures.Require(set);
        var tokenizer = Umt5Tokenizer.Load(Path.Combine(s.Original, "tokenizer"));
        Assert.Multiple(() =>
        {
            Assert.That(tokenizer.Model.NormalizerSpec.Name, Is.EqualTo("nmt_nfkc"));
            Assert.That(tokenizer.Model.NormalizerSpec.PrecompiledCharsMap, Is.Not.Empty);
            Assert.That(tokenizer.Model.Pieces[tokenizer.UnknownId].Piece, Is.EqualTo("<unk>"));
            Assert.That(tokenizer.Model.Pieces[tokenizer.EosId].Piece, Is.EqualTo("</s>"));
            Assert.That(tokenizer.Model.Pieces[tokenizer.PadId].Piece, Is.EqualTo("<pad>"));
        });
    }
}
