using Google.Protobuf;
using Wan.Runtime.Text.Proto;
using PieceType = Wan.Runtime.Text.Proto.ModelProto.Types.SentencePiece.Types.Type;

namespace Wan.Convert.Synth;

/// <summary>
/// Writes a small valid SentencePiece unigram <c>spiece.model</c> (sentencepiece_model.proto ModelProto)
/// with the T5 special ids: &lt;pad&gt;=0, &lt;/s&gt;=1, &lt;unk&gt;=2, no &lt;s&gt;; pieces are
/// "▁", single characters, ▁-prefixed letters and common English words with decreasing scores; the
/// normalizer is "identity" (empty precompiled charsmap) with add_dummy_prefix, remove_extra_whitespaces
/// and escape_whitespaces on. Serialized with the ModelProto classes the runtime generates from
/// Text/Proto/sentencepiece_model.proto.
/// </summary>
internal static class SentencePieceModelWriter
{

    private static readonly string[] Words =
    [
        "the", "a", "of", "and", "in", "to", "is", "on", "with", "at", "cat", "dog", "sun", "sky", "sea", "red", "blue",
        "green", "man", "woman", "city", "night", "light", "tree", "water", "walk", "run", "big", "small", "car", "street",
        "beach", "snow", "rain", "fire", "bird", "fly", "over", "under", "camera", "slow", "motion", "video", "high",
        "quality", "style", "art", "photo", "real", "istic", "ing", "ed", "er", "es", "ly", "tion",
    ];

    /// <summary>The pieces in id order with their scores and types.</summary>
    private static List<(string Piece, float Score, PieceType Type)> Pieces()
    {
        var pieces = new List<(string, float, PieceType)> { ("<pad>", 0, PieceType.Control), ("</s>", 0, PieceType.Control), ("<unk>", 0, PieceType.Unknown), ("\u2581", -2f, PieceType.Normal) };
        var seen = new HashSet<string>(pieces.Select(p => p.Item1), StringComparer.Ordinal);
        void Add(string piece)
        {
            if (seen.Add(piece))
            {
                pieces.Add((piece, -3f - 0.01f * pieces.Count, PieceType.Normal));
            }
        }
        foreach (var w in Words)
        {
            Add("\u2581" + w);
            Add(w);
        }
        for (var ch = 'a'; ch <= 'z'; ch++)
        {
            Add("\u2581" + ch);
            Add(ch.ToString());
            Add(char.ToUpperInvariant(ch).ToString());
            Add("\u2581" + char.ToUpperInvariant(ch));
        }
        for (var ch = '0'; ch <= '9'; ch++)
        {
            Add(ch.ToString());
            Add("\u2581" + ch);
        }
        foreach (var ch in ".,!?;:'\"-()/%&")
        {
            Add(ch.ToString());
        }
        return pieces;
    }

    /// <summary>Writes the model to <paramref name="path"/> (through a temporary name, renamed when complete).</summary>
    public static void Write(string path)
    {
        var pieces = Pieces();
        var model = new ModelProto
        {
            TrainerSpec = new TrainerSpec
            {
                ModelType = TrainerSpec.Types.ModelType.Unigram,
                VocabSize = pieces.Count,
                UnkId = 2,
                BosId = -1, // none
                EosId = 1,
                PadId = 0,
                UnkPiece = "<unk>",
                EosPiece = "</s>",
                PadPiece = "<pad>",
            },
            NormalizerSpec = new NormalizerSpec
            {
                Name = "identity",
                PrecompiledCharsmap = ByteString.Empty,
                AddDummyPrefix = true,
                RemoveExtraWhitespaces = true,
                EscapeWhitespaces = true,
            },
        };
        foreach (var (piece, score, type) in pieces)
        {
            var entry = new ModelProto.Types.SentencePiece { Piece = piece, Score = score };
            if (type != PieceType.Normal)
            {
                entry.Type = type;
            }
            model.Pieces.Add(entry);
        }
        var temporary = path + ".tmp";
        File.WriteAllBytes(temporary, model.ToByteArray());
        File.Move(temporary, path, overwrite: true);
    }
}
