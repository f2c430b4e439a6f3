using Google.Protobuf;
using Wan.Runtime.Text;

namespace Wan.Runtime.Tests.Text;

/// <summary>Writes small sentencepiece ModelProto files for tests, field by field.</summary>
internal sealed class ModelProtoBuilder
{
    private readonly List<(string Piece, float Score, SentencePieceType Type)> pieces = [];

    public int ModelType { get; set; } = 1;
    public bool ByteFallback { get; set; }
    public byte[]? CharsMap { get; set; }

    /// <summary>The T5 layout: pad 0, eos 1, unk 2.</summary>
    public static ModelProtoBuilder T5Style()
    {
        var b = new ModelProtoBuilder();
        b.Add("<pad>", 0, SentencePieceType.Control);
        b.Add("</s>", 0, SentencePieceType.Control);
        b.Add("<unk>", 0, SentencePieceType.Unknown);
        return b;
    }

    public ModelProtoBuilder Add(string piece, float score, SentencePieceType type = SentencePieceType.Normal)
    {
        pieces.Add((piece, score, type));
        return this;
    }

    public byte[] Build()
    {
        using var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        foreach (var (piece, score, type) in pieces)
        {
            output.WriteTag(1, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(Message(o =>
            {
                o.WriteTag(1, WireFormat.WireType.LengthDelimited);
                o.WriteString(piece);
                o.WriteTag(2, WireFormat.WireType.Fixed32);
                o.WriteFloat(score);
                o.WriteTag(3, WireFormat.WireType.Varint);
                o.WriteEnum((int)type);
                o.WriteTag(77, WireFormat.WireType.Varint); // an unknown field, to be skipped
                o.WriteInt32(5);
            }));
        }
        output.WriteTag(2, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(Message(o =>
        {
            o.WriteTag(3, WireFormat.WireType.Varint);
            o.WriteEnum(ModelType);
            o.WriteTag(35, WireFormat.WireType.Varint);
            o.WriteBool(ByteFallback);
            o.WriteTag(40, WireFormat.WireType.Varint);
            o.WriteInt32(2);
            o.WriteTag(41, WireFormat.WireType.Varint);
            o.WriteInt32(-1);
            o.WriteTag(42, WireFormat.WireType.Varint);
            o.WriteInt32(1);
            o.WriteTag(43, WireFormat.WireType.Varint);
            o.WriteInt32(0);
        }));
        output.WriteTag(3, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(Message(o =>
        {
            o.WriteTag(1, WireFormat.WireType.LengthDelimited);
            o.WriteString(CharsMap is null ? "identity" : "custom");
            if (CharsMap is not null)
            {
                o.WriteTag(2, WireFormat.WireType.LengthDelimited);
                o.WriteBytes(ByteString.CopyFrom(CharsMap));
            }
        }));
        output.Flush();
        return stream.ToArray();
    }

    public Umt5Tokenizer BuildTokenizer(string name = "test.model") =>
        new(SentencePieceModelReader.Parse(Build(), name));

    private static ByteString Message(Action<CodedOutputStream> write)
    {
        using var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        write(output);
        output.Flush();
        return ByteString.CopyFrom(stream.ToArray());
    }
}
