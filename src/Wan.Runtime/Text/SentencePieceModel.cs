using Google.Protobuf;
using Wan.Runtime.Text.Proto;

namespace Wan.Runtime.Text;

/// <summary>
/// A parsed sentencepiece model file (a serialized sentencepiece.ModelProto): the vocabulary in id
/// order and the trainer/normalizer settings. Only unigram models are accepted; the structural rules
/// sentencepiece itself enforces (non-empty unique pieces, exactly one unknown piece, all 256 byte
/// pieces when byte fallback is on) are checked here so a bad file fails at load time.
/// </summary>
public sealed class SentencePieceModel
{
    internal SentencePieceModel(
        string source,
        IReadOnlyList<SentencePiece> pieces,
        SentencePieceTrainerSpec trainerSpec,
        SentencePieceNormalizerSpec normalizerSpec)
    {
        Source = source;
        Pieces = pieces;
        TrainerSpec = trainerSpec;
        NormalizerSpec = normalizerSpec;
        UnknownId = Validate();
    }

    /// <summary>The file (or description) the model was read from, for error messages.</summary>
    public string Source { get; }

    /// <summary>The vocabulary in id order (ModelProto.pieces).</summary>
    public IReadOnlyList<SentencePiece> Pieces { get; }

    /// <summary>The special ids, model type and segmentation switches (ModelProto.trainer_spec).</summary>
    public SentencePieceTrainerSpec TrainerSpec { get; }

    /// <summary>The text normalization (ModelProto.normalizer_spec).</summary>
    public SentencePieceNormalizerSpec NormalizerSpec { get; }

    /// <summary>The id of the single piece of type UNKNOWN.</summary>
    public int UnknownId { get; }

    /// <summary>Reads and checks a spiece.model file.</summary>
    /// <exception cref="FileNotFoundException">the file cannot be read; the message names it.</exception>
    /// <exception cref="InvalidDataException">it is not a valid unigram ModelProto; one line naming the file and the problem.</exception>
    public static SentencePieceModel Load(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FileNotFoundException($"sentencepiece model {path}: cannot read the file ({e.Message})", path, e);
        }
        return Parse(bytes, path);
    }

    /// <summary>
    /// Reads a serialized sentencepiece.ModelProto with the classes generated from
    /// Text/Proto/sentencepiece_model.proto (fields it does not declare are skipped, as any protobuf
    /// parser does) and checks it; every problem is an <see cref="InvalidDataException"/> naming
    /// <paramref name="source"/>.
    /// </summary>
    internal static SentencePieceModel Parse(byte[] bytes, string source)
    {
        ModelProto proto;
        try
        {
            proto = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"sentencepiece model {source}: not a valid serialized ModelProto ({e.Message})", e);
        }
        return FromProto(proto, source);
    }

    /// <summary>The model a parsed ModelProto describes, with the proto defaults for absent fields.</summary>
    internal static SentencePieceModel FromProto(ModelProto proto, string source)
    {
        var pieces = new List<SentencePiece>(proto.Pieces.Count);
        foreach (var p in proto.Pieces)
        {
            var type = (SentencePieceType)(int)p.Type;
            if (!Enum.IsDefined(type))
            {
                throw new InvalidDataException($"sentencepiece model {source}: pieces[{pieces.Count}].type has the unknown value {(int)p.Type}");
            }
            pieces.Add(new SentencePiece(p.Piece, p.Score, type));
        }
        var t = proto.TrainerSpec ?? new TrainerSpec();
        var trainer = new SentencePieceTrainerSpec((int)t.ModelType, t.UnkId, t.BosId, t.EosId, t.PadId, t.ByteFallback, t.TreatWhitespaceAsSuffix);
        var n = proto.NormalizerSpec ?? new NormalizerSpec();
        var normalizer = new SentencePieceNormalizerSpec(n.Name, n.PrecompiledCharsmap.ToByteArray(), n.AddDummyPrefix, n.RemoveExtraWhitespaces, n.EscapeWhitespaces);
        return new SentencePieceModel(source, pieces, trainer, normalizer);
    }

    private int Validate()
    {
        if (TrainerSpec.ModelType != SentencePieceTrainerSpec.UnigramModelType)
        {
            throw Invalid($"trainer_spec.model_type is {TrainerSpec.ModelType}, only UNIGRAM (1) is supported");
        }
        if (Pieces.Count == 0)
        {
            throw Invalid("the model has no pieces");
        }
        var seen = new HashSet<string>(Pieces.Count, StringComparer.Ordinal);
        var unknownId = -1;
        var bytePieces = 0;
        for (var id = 0; id < Pieces.Count; id++)
        {
            var p = Pieces[id];
            if (p.Piece.Length == 0)
            {
                throw Invalid($"piece {id} is empty");
            }
            if (!seen.Add(p.Piece))
            {
                throw Invalid($"piece {id} \"{p.Piece}\" is defined twice");
            }
            if (p.Type == SentencePieceType.Unknown)
            {
                if (unknownId >= 0)
                {
                    throw Invalid($"pieces {unknownId} and {id} are both of type UNKNOWN");
                }
                unknownId = id;
            }
            if (p.Type == SentencePieceType.Byte)
            {
                bytePieces++;
            }
        }
        if (unknownId < 0)
        {
            throw Invalid("no piece of type UNKNOWN");
        }
        if (TrainerSpec.ByteFallback)
        {
            for (var b = 0; b < 256; b++)
            {
                if (!seen.Contains(BytePieceName((byte)b)))
                {
                    throw Invalid($"byte_fallback is on but byte piece {BytePieceName((byte)b)} is missing");
                }
            }
        }
        CheckId(TrainerSpec.EosId, "eos_id");
        CheckId(TrainerSpec.PadId, "pad_id");
        return unknownId;
    }

    private void CheckId(int id, string field)
    {
        if (id >= Pieces.Count)
        {
            throw Invalid($"trainer_spec.{field} {id} is outside the vocabulary of {Pieces.Count} pieces");
        }
    }

    /// <summary>The piece that stands for one raw byte when byte fallback is on, e.g. &lt;0x0A&gt;.</summary>
    public static string BytePieceName(byte b) => $"<0x{b:X2}>";

    private InvalidDataException Invalid(string problem) => new($"sentencepiece model {Source}: {problem}");
}
