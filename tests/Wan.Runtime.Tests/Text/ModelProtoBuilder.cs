using Google.Protobuf;
using Wan.Runtime.Text;
using Wan.Runtime.Text.Proto;

namespace Wan.Runtime.Tests.Text;

/// <summary>Small sentencepiece models for tests, built with the generated ModelProto classes.</summary>
internal sealed class ModelProtoBuilder
{
    private readonly ModelProto model = new()
    {
        TrainerSpec = new TrainerSpec { UnkId = 2, BosId = -1, EosId = 1, PadId = 0 },
    };

    public int ModelType
    {
        get => (int)model.TrainerSpec.ModelType;
        set => model.TrainerSpec.ModelType = (TrainerSpec.Types.ModelType)value;
    }

    public bool ByteFallback
    {
        get => model.TrainerSpec.ByteFallback;
        set => model.TrainerSpec.ByteFallback = value;
    }

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
        model.Pieces.Add(new ModelProto.Types.SentencePiece { Piece = piece, Score = score, Type = (ModelProto.Types.SentencePiece.Types.Type)type });
        return this;
    }

    public byte[] Build()
    {
        model.NormalizerSpec = CharsMap is null
            ? new NormalizerSpec { Name = "identity" }
            : new NormalizerSpec { Name = "custom", PrecompiledCharsmap = ByteString.CopyFrom(CharsMap) };
        return model.ToByteArray();
    }

    public Umt5Tokenizer BuildTokenizer(string name = "test.model") =>
        new(SentencePieceModel.Parse(Build(), name));
}
