namespace Wan.Runtime.Text;

/// <summary>
/// The fields of sentencepiece.TrainerSpec that segmentation depends on; absent fields take the
/// proto defaults (model_type UNIGRAM, unk 0, bos 1, eos 2, pad -1, no byte fallback), see
/// Text/Proto/sentencepiece_model.proto.
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
    /// <summary>TrainerSpec.ModelType UNIGRAM, the only model type this tokenizer runs.</summary>
    public const int UnigramModelType = 1;
}
