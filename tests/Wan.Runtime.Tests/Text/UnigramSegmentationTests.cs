using Wan.Runtime.Text;

namespace Wan.Runtime.Tests.Text;

public class UnigramSegmentationTests
{
    private const int Space = 3, A = 4, B = 5, AB = 6, SpaceAB = 7, Tag = 8;

    private static ModelProtoBuilder Small() => ModelProtoBuilder.T5Style()
        .Add("\u2581", -1)          // 3
        .Add("a", -2)               // 4
        .Add("b", -2)               // 5
        .Add("ab", -1.5f)           // 6
        .Add("\u2581ab", -3)        // 7
        .Add("<x>", 0, SentencePieceType.UserDefined); // 8

    [Test]
    public void BestScoringPathIsChosen()
    {
        var tokenizer = Small().BuildTokenizer();
        // "▁"+"ab" scores -2.5, better than "▁ab" (-3) and "▁"+"a"+"b" (-5).
        Assert.That(tokenizer.EncodePieces("ab"), Is.EqualTo(new[] { Space, AB }));
        Assert.That(tokenizer.EncodePieces("  ab   ba "), Is.EqualTo(new[] { Space, AB, Space, B, A }));
    }

    [Test]
    public void ConsecutiveUnknownCharactersBecomeOneUnk()
    {
        var tokenizer = Small().BuildTokenizer();
        Assert.That(tokenizer.EncodePieces("a猫😀q b"), Is.EqualTo(new[] { Space, A, 2, Space, B }));
        Assert.That(tokenizer.EncodePieces("zz a zz"), Is.EqualTo(new[] { Space, 2, Space, A, Space, 2 }));
    }

    [Test]
    public void ByteFallbackSpellsUnknownCharactersAsBytes()
    {
        var builder = Small();
        builder.ByteFallback = true;
        var firstByteId = 9;
        for (var b = 0; b < 256; b++)
        {
            builder.Add(SentencePieceModel.BytePieceName((byte)b), 0, SentencePieceType.Byte);
        }
        var tokenizer = builder.BuildTokenizer();
        // 猫 is E7 8C AB in UTF-8.
        Assert.That(tokenizer.EncodePieces("a猫"), Is.EqualTo(new[] { Space, A, firstByteId + 0xE7, firstByteId + 0x8C, firstByteId + 0xAB }));
    }

    [Test]
    public void UserDefinedPiecesAlwaysWin()
    {
        var tokenizer = Small().BuildTokenizer();
        Assert.That(tokenizer.EncodePieces("a<x>b"), Is.EqualTo(new[] { Space, A, Tag, B }));
    }

    [Test]
    public void SegmentationScoreEqualsExhaustiveBestOnRandomText()
    {
        var random = new Random(1234);
        var builder = ModelProtoBuilder.T5Style();
        var vocabulary = new Dictionary<string, float>(StringComparer.Ordinal);
        foreach (var c in "\u2581abc")
        {
            vocabulary[c.ToString()] = -8 - (float)random.NextDouble();
        }
        while (vocabulary.Count < 37)
        {
            var length = random.Next(2, 6);
            var piece = new string([.. Enumerable.Range(0, length).Select(_ => "\u2581abc"[random.Next(4)])]);
            vocabulary.TryAdd(piece, -1 - 6 * (float)random.NextDouble());
        }
        var scoreOf = new Dictionary<int, float>();
        foreach (var (piece, score) in vocabulary)
        {
            scoreOf[3 + scoreOf.Count] = score;
            builder.Add(piece, score);
        }
        var tokenizer = builder.BuildTokenizer();
        for (var trial = 0; trial < 50; trial++)
        {
            var text = new string([.. Enumerable.Range(0, random.Next(1, 23)).Select(_ => "abc"[random.Next(3)])]);
            var normalized = "\u2581" + text;
            var ids = tokenizer.EncodePieces(text);
            var surface = string.Concat(ids.Select(id => tokenizer.Model.Pieces[id].Piece));
            Assert.That(surface, Is.EqualTo(normalized), $"pieces of \"{text}\" do not spell the normalized text");
            var total = ids.Sum(id => (double)scoreOf[id]);
            Assert.That(total, Is.EqualTo(ExhaustiveBest(normalized, vocabulary)).Within(1e-4), $"\"{text}\"");
        }
    }

    // Best total score over all segmentations, by a plain DP that scans the whole vocabulary.
    private static double ExhaustiveBest(string text, Dictionary<string, float> vocabulary)
    {
        var best = new double[text.Length + 1];
        Array.Fill(best, double.NegativeInfinity);
        best[0] = 0;
        for (var end = 1; end <= text.Length; end++)
        {
            foreach (var (piece, score) in vocabulary)
            {
                if (piece.Length <= end && string.CompareOrdinal(text, end - piece.Length, piece, 0, piece.Length) == 0)
                {
                    best[end] = Math.Max(best[end], best[end - piece.Length] + score);
                }
            }
        }
        return best[text.Length];
    }
}
