using Wan.Testing;
using Wan.Runtime.Text;

namespace Wan.Runtime.Tests.Text;

/// <summary>spiece.model files read through the generated ModelProto classes: valid ones load, every bad one gives one line naming the file.</summary>
public class SentencePieceModelLoadTests
{
    private TempDirectory temp = null!;
    private string directory = "";

    [SetUp]
    public void CreateDirectory()
    {
        temp = new TempDirectory();
        directory = temp.Path;
    }

    [TearDown]
    public void DeleteDirectory() => temp.Dispose();

    private string Write(byte[] bytes)
    {
        File.WriteAllBytes(Path.Combine(directory, Umt5Tokenizer.ModelFileName), bytes);
        return Path.Combine(directory, Umt5Tokenizer.ModelFileName);
    }

    private static ModelProtoBuilder Valid() => ModelProtoBuilder.T5Style().Add("\u2581", -1).Add("a", -2);

    [Test]
    public void ValidModelRoundTrips()
    {
        Write(Valid().Build());
        var tokenizer = Umt5Tokenizer.Load(directory);
        Assert.Multiple(() =>
        {
            Assert.That(tokenizer.VocabularySize, Is.EqualTo(5));
            Assert.That(tokenizer.Model.Pieces[4], Is.EqualTo(new SentencePiece("a", -2, SentencePieceType.Normal)));
            Assert.That((tokenizer.EosId, tokenizer.PadId, tokenizer.UnknownId), Is.EqualTo((1, 0, 2)));
        });
    }

    [Test]
    public void UnknownFieldsAreSkipped()
    {
        // field 77, varint 5: a field this runtime does not declare, as a newer sentencepiece may write
        Write([.. Valid().Build(), 0xE8, 0x04, 0x05]);
        var tokenizer = Umt5Tokenizer.Load(directory);
        Assert.That(tokenizer.VocabularySize, Is.EqualTo(5));
    }

    [Test]
    public void UnknownPieceTypeIsRejectedNamingThePiece()
    {
        var path = Write(Valid().Add("b", -3, (SentencePieceType)9).Build());
        Assert.That(() => Umt5Tokenizer.Load(directory), Throws.TypeOf<InvalidDataException>()
            .With.Message.EqualTo($"sentencepiece model {path}: pieces[5].type has the unknown value 9"));
    }

    [Test]
    public void MissingFileIsNamed() =>
        Assert.That(() => Umt5Tokenizer.Load(directory), Throws.TypeOf<FileNotFoundException>().With.Message.Contains(Umt5Tokenizer.ModelFileName));

    [Test]
    public void GarbageIsRejectedNamingTheFile()
    {
        var path = Write([0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x01]);
        Assert.That(() => Umt5Tokenizer.Load(directory), Throws.TypeOf<InvalidDataException>()
            .With.Message.StartsWith($"sentencepiece model {path}: not a valid serialized ModelProto").And.Message.Not.Contains("\n"));
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    [Category("Golden")]
    public void TruncatedRealModelIsRejectedNamingTheFile(FixtureSet? set)
    {
        var s = Fixtures.Require(set);
        var bytes = File.ReadAllBytes(Path.Combine(s.Original, "tokenizer", Umt5Tokenizer.ModelFileName));
        var path = Write(bytes[..(bytes.Length / 2)]);
        Assert.That(() => Umt5Tokenizer.Load(directory), Throws.TypeOf<InvalidDataException>().With.Message.Contains(path));
    }

    [Test]
    public void NonUnigramModelIsRejected()
    {
        var builder = Valid();
        builder.ModelType = 2;
        Write(builder.Build());
        Assert.That(() => Umt5Tokenizer.Load(directory), Throws.TypeOf<InvalidDataException>().With.Message.Contains("UNIGRAM"));
    }

    [Test]
    public void ModelWithoutUnknownPieceIsRejected()
    {
        var builder = new ModelProtoBuilder().Add("<pad>", 0, SentencePieceType.Control).Add("</s>", 0, SentencePieceType.Control).Add("a", -1);
        Write(builder.Build());
        Assert.That(() => Umt5Tokenizer.Load(directory), Throws.TypeOf<InvalidDataException>().With.Message.Contains("UNKNOWN"));
    }

    [Test]
    public void DuplicatePieceIsRejected()
    {
        Write(Valid().Add("a", -3).Build());
        Assert.That(() => Umt5Tokenizer.Load(directory), Throws.TypeOf<InvalidDataException>().With.Message.Contains("defined twice"));
    }

    [Test]
    public void ByteFallbackWithoutBytePiecesIsRejected()
    {
        var builder = Valid();
        builder.ByteFallback = true;
        Write(builder.Build());
        Assert.That(() => Umt5Tokenizer.Load(directory), Throws.TypeOf<InvalidDataException>().With.Message.Contains("<0x00>"));
    }

    [Test]
    public void BrokenCharsMapIsRejectedNamingTheFile()
    {
        var builder = Valid();
        builder.CharsMap = [9, 0, 0, 0, 1];
        var path = Write(builder.Build());
        Assert.That(() => Umt5Tokenizer.Load(directory), Throws.TypeOf<InvalidDataException>().With.Message.Contains(path).And.Message.Contains("precompiled_charsmap"));
    }
}
