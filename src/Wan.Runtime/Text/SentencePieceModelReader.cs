using System.Runtime.InteropServices;
using Google.Protobuf;

namespace Wan.Runtime.Text;

/// <summary>
/// Decodes a serialized sentencepiece.ModelProto by field number with Google.Protobuf's
/// CodedInputStream (no generated classes). Field numbers are those of sentencepiece_model.proto;
/// fields this runtime does not use are skipped, as a protobuf parser would.
/// </summary>
internal static class SentencePieceModelReader
{
    // ModelProto
    private const int PiecesField = 1;
    private const int TrainerSpecField = 2;
    private const int NormalizerSpecField = 3;

    // ModelProto.SentencePiece
    private const int PieceField = 1;
    private const int ScoreField = 2;
    private const int TypeField = 3;

    // TrainerSpec
    private const int ModelTypeField = 3;
    private const int TreatWhitespaceAsSuffixField = 24;
    private const int ByteFallbackField = 35;
    private const int UnkIdField = 40;
    private const int BosIdField = 41;
    private const int EosIdField = 42;
    private const int PadIdField = 43;

    // NormalizerSpec
    private const int NameField = 1;
    private const int PrecompiledCharsMapField = 2;
    private const int AddDummyPrefixField = 3;
    private const int RemoveExtraWhitespacesField = 4;
    private const int EscapeWhitespacesField = 5;

    public static SentencePieceModel Parse(byte[] bytes, string source)
    {
        var pieces = new List<SentencePiece>();
        var trainer = SentencePieceTrainerSpec.Default;
        var normalizer = SentencePieceNormalizerSpec.Default;
        try
        {
            var input = new CodedInputStream(bytes);
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                switch (WireFormat.GetTagFieldNumber(tag))
                {
                    case PiecesField:
                        Expect(tag, WireFormat.WireType.LengthDelimited, "pieces");
                        pieces.Add(ReadPiece(Nested(input), pieces.Count));
                        break;
                    case TrainerSpecField:
                        Expect(tag, WireFormat.WireType.LengthDelimited, "trainer_spec");
                        trainer = ReadTrainerSpec(Nested(input), trainer);
                        break;
                    case NormalizerSpecField:
                        Expect(tag, WireFormat.WireType.LengthDelimited, "normalizer_spec");
                        normalizer = ReadNormalizerSpec(Nested(input), normalizer);
                        break;
                    default:
                        input.SkipLastField();
                        break;
                }
            }
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"sentencepiece model {source}: not a valid serialized ModelProto ({e.Message})", e);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"sentencepiece model {source}: {e.Message}", e);
        }
        return new SentencePieceModel(source, pieces, trainer, normalizer);
    }

    private static SentencePiece ReadPiece(CodedInputStream input, int index)
    {
        var piece = "";
        var score = 0f;
        var type = SentencePieceType.Normal;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case PieceField:
                    Expect(tag, WireFormat.WireType.LengthDelimited, $"pieces[{index}].piece");
                    piece = input.ReadString();
                    break;
                case ScoreField:
                    Expect(tag, WireFormat.WireType.Fixed32, $"pieces[{index}].score");
                    score = input.ReadFloat();
                    break;
                case TypeField:
                    Expect(tag, WireFormat.WireType.Varint, $"pieces[{index}].type");
                    var value = input.ReadEnum();
                    if (value < (int)SentencePieceType.Normal || value > (int)SentencePieceType.Byte)
                    {
                        throw new InvalidDataException($"pieces[{index}].type has the unknown value {value}");
                    }
                    type = (SentencePieceType)value;
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }
        return new SentencePiece(piece, score, type);
    }

    private static SentencePieceTrainerSpec ReadTrainerSpec(CodedInputStream input, SentencePieceTrainerSpec spec)
    {
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case ModelTypeField:
                    spec = spec with { ModelType = ReadVarint32(input, tag, "trainer_spec.model_type") };
                    break;
                case TreatWhitespaceAsSuffixField:
                    spec = spec with { TreatWhitespaceAsSuffix = ReadBool(input, tag, "trainer_spec.treat_whitespace_as_suffix") };
                    break;
                case ByteFallbackField:
                    spec = spec with { ByteFallback = ReadBool(input, tag, "trainer_spec.byte_fallback") };
                    break;
                case UnkIdField:
                    spec = spec with { UnkId = ReadVarint32(input, tag, "trainer_spec.unk_id") };
                    break;
                case BosIdField:
                    spec = spec with { BosId = ReadVarint32(input, tag, "trainer_spec.bos_id") };
                    break;
                case EosIdField:
                    spec = spec with { EosId = ReadVarint32(input, tag, "trainer_spec.eos_id") };
                    break;
                case PadIdField:
                    spec = spec with { PadId = ReadVarint32(input, tag, "trainer_spec.pad_id") };
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }
        return spec;
    }

    private static SentencePieceNormalizerSpec ReadNormalizerSpec(CodedInputStream input, SentencePieceNormalizerSpec spec)
    {
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case NameField:
                    Expect(tag, WireFormat.WireType.LengthDelimited, "normalizer_spec.name");
                    spec = spec with { Name = input.ReadString() };
                    break;
                case PrecompiledCharsMapField:
                    Expect(tag, WireFormat.WireType.LengthDelimited, "normalizer_spec.precompiled_charsmap");
                    spec = spec with { PrecompiledCharsMap = input.ReadBytes().ToByteArray() };
                    break;
                case AddDummyPrefixField:
                    spec = spec with { AddDummyPrefix = ReadBool(input, tag, "normalizer_spec.add_dummy_prefix") };
                    break;
                case RemoveExtraWhitespacesField:
                    spec = spec with { RemoveExtraWhitespaces = ReadBool(input, tag, "normalizer_spec.remove_extra_whitespaces") };
                    break;
                case EscapeWhitespacesField:
                    spec = spec with { EscapeWhitespaces = ReadBool(input, tag, "normalizer_spec.escape_whitespaces") };
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }
        return spec;
    }

    /// <summary>A reader over the embedded message that is the next field, sharing its bytes (no copy).</summary>
    private static CodedInputStream Nested(CodedInputStream input)
    {
        var message = input.ReadBytes();
        return MemoryMarshal.TryGetArray(message.Memory, out var segment)
            ? new CodedInputStream(segment.Array!, segment.Offset, segment.Count)
            : new CodedInputStream(message.ToByteArray());
    }

    private static int ReadVarint32(CodedInputStream input, uint tag, string field)
    {
        Expect(tag, WireFormat.WireType.Varint, field);
        return input.ReadInt32();
    }

    private static bool ReadBool(CodedInputStream input, uint tag, string field)
    {
        Expect(tag, WireFormat.WireType.Varint, field);
        return input.ReadBool();
    }

    private static void Expect(uint tag, WireFormat.WireType expected, string field)
    {
        var actual = WireFormat.GetTagWireType(tag);
        if (actual != expected)
        {
            throw new InvalidDataException($"{field} has wire type {actual}, expected {expected}");
        }
    }
}
