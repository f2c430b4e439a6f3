namespace Wan.Runtime.Text;

/// <summary>
/// The fields of sentencepiece.TrainerSpec that segmentation depends on, with the proto defaults
/// for absent fields (model_type UNIGRAM, unk 0, bos 1, eos 2, pad -1, no byte fallback).
/// </summary>
public sealed record SentencePieceTrainerSpec(
    int ModelType,
    int UnkId,
    int BosId,
    int EosId,
    int PadId,
    bool ByteFallback,
    bool TreatWhitespaceAsSuffix)
{
    public const int UnigramModelType = 1;

    public static SentencePieceTrainerSpec Default { get; } = new(UnigramModelType, 0, 1, 2, -1, false, false);
}
