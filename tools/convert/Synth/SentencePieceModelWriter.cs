using Google.Protobuf;

namespace Wan.Convert.Synth;

/// <summary>
/// Writes a small valid SentencePiece unigram <c>spiece.model</c> (sentencepiece_model.proto ModelProto)
/// with the T5 special ids: &lt;pad&gt;=0, &lt;/s&gt;=1, &lt;unk&gt;=2, no &lt;s&gt;; pieces are
/// "▁", single characters, ▁-prefixed letters and common English words with decreasing scores; the
/// normalizer is "identity" (empty precompiled charsmap) with add_dummy_prefix, remove_extra_whitespaces
/// and escape_whitespaces on.
/// </summary>
public static class SentencePieceModelWriter
{
    private const int Normal = 1, Unknown = 2, Control = 3;

    private static readonly string[] Words =
    [
        "the", "a", "of", "and", "in", "to", "is", "on", "with", "at", "cat", "dog", "sun", "sky", "sea", "red", "blue",
        "green", "man", "woman", "city", "night", "light", "tree", "water", "walk", "run", "big", "small", "car", "street",
        "beach", "snow", "rain", "fire", "bird", "fly", "over", "under", "camera", "slow", "motion", "video", "high",
        "quality", "style", "art", "photo", "real", "istic", "ing", "ed", "er", "es", "ly", "tion",
    ];

    /// <summary>The pieces in id order with their scores and types.</summary>
    public static List<(string Piece, float Score, int Type)> Pieces()
    {
        var pieces = new List<(string, float, int)> { ("<pad>", 0, Control), ("</s>", 0, Control), ("<unk>", 0, Unknown), ("\u2581", -2f, Normal) };
        var seen = new HashSet<string>(pieces.Select(p => p.Item1), StringComparer.Ordinal);
        void Add(string piece)
        {
            if (seen.Add(piece))
            {
                pieces.Add((piece, -3f - 0.01f * pieces.Count, Normal));
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

    public static void Write(string path)
    {
        var pieces = Pieces();
        using var file = File.Create(path);
        var output = new CodedOutputStream(file);
        foreach (var (piece, score, type) in pieces)
        {
            output.WriteTag(1, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(Message(o =>
            {
                o.WriteTag(1, WireFormat.WireType.LengthDelimited);
                o.WriteString(piece);
                o.WriteTag(2, WireFormat.WireType.Fixed32);
                o.WriteFloat(score);
                if (type != Normal)
                {
                    o.WriteTag(3, WireFormat.WireType.Varint);
                    o.WriteEnum(type);
                }
            }));
        }
        output.WriteTag(2, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(Message(o =>
        {
            VarintField(o, 3, 1); // model_type = UNIGRAM
            VarintField(o, 4, pieces.Count); // vocab_size
            VarintField(o, 40, 2); // unk_id
            VarintField(o, 41, -1); // bos_id: none
            VarintField(o, 42, 1); // eos_id
            VarintField(o, 43, 0); // pad_id
            StringField(o, 45, "<unk>");
            StringField(o, 47, "</s>");
            StringField(o, 48, "<pad>");
        }));
        output.WriteTag(3, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(Message(o =>
        {
            StringField(o, 1, "identity");
            o.WriteTag(2, WireFormat.WireType.LengthDelimited);
            o.WriteBytes(ByteString.Empty);
            VarintField(o, 3, 1); // add_dummy_prefix
            VarintField(o, 4, 1); // remove_extra_whitespaces
            VarintField(o, 5, 1); // escape_whitespaces
        }));
        output.Flush();
    }

    private static ByteString Message(Action<CodedOutputStream> write)
    {
        var buffer = new MemoryStream();
        var o = new CodedOutputStream(buffer);
        write(o);
        o.Flush();
        return ByteString.CopyFrom(buffer.ToArray());
    }

    private static void VarintField(CodedOutputStream o, int field, int value)
    {
        o.WriteTag(field, WireFormat.WireType.Varint);
        o.WriteInt32(value);
    }

    private static void StringField(CodedOutputStream o, int field, string value)
    {
        o.WriteTag(field, WireFormat.WireType.LengthDelimited);
        o.WriteString(value);
    }
}
