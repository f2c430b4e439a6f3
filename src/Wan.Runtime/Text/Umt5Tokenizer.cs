using System.Text;

namespace Wan.Runtime.Text;

/// <summary>
/// The umT5 tokenizer: sentencepiece normalization and unigram segmentation of
/// <c>tokenizer/spiece.model</c>, then the T5 conventions (eos appended, truncation to
/// maxLength - 1 pieces + eos, right padding with the pad id, attention mask). Thread-safe.
/// </summary>
public sealed class Umt5Tokenizer
{
    /// <summary>The sentencepiece model's file name inside a tokenizer directory.</summary>
    public const string ModelFileName = "spiece.model";

    private readonly SentencePieceNormalizer normalizer;
    private readonly UnigramSegmenter segmenter;

    /// <summary>Builds the tokenizer over a parsed model (<see cref="SentencePieceModel.Load"/>).</summary>
    /// <exception cref="InvalidDataException">
    /// The model has no eos or pad id, or its pieces or normalizer rules cannot be compiled; one line naming
    /// <see cref="SentencePieceModel.Source"/> and the problem.
    /// </exception>
    public Umt5Tokenizer(SentencePieceModel model)
    {
        Model = model;
        if (model.TrainerSpec.EosId < 0)
        {
            throw new InvalidDataException($"sentencepiece model {model.Source}: no eos id (trainer_spec.eos_id {model.TrainerSpec.EosId})");
        }
        if (model.TrainerSpec.PadId < 0)
        {
            throw new InvalidDataException($"sentencepiece model {model.Source}: no pad id (trainer_spec.pad_id {model.TrainerSpec.PadId})");
        }
        try
        {
            segmenter = new UnigramSegmenter(model);
            normalizer = new SentencePieceNormalizer(model.NormalizerSpec, model.TrainerSpec.TreatWhitespaceAsSuffix, UserDefinedPieces(model));
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith("sentencepiece model", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"sentencepiece model {model.Source}: {e.Message}", e);
        }
    }

    /// <summary>The sentencepiece model this tokenizer segments with.</summary>
    public SentencePieceModel Model { get; }

    /// <summary>The end-of-sequence id appended to every encoding (trainer_spec.eos_id; 1 for umT5).</summary>
    public int EosId => Model.TrainerSpec.EosId;

    /// <summary>The id that fills <see cref="TokenizedText.Padded"/> past the valid ids (trainer_spec.pad_id; 0 for umT5).</summary>
    public int PadId => Model.TrainerSpec.PadId;

    /// <summary>The id of text no piece covers when byte fallback is off (the model's UNKNOWN piece; 2 for umT5).</summary>
    public int UnknownId => Model.UnknownId;

    /// <summary>The number of pieces in the model; every id is below it (the text encoder's embedding table may be larger, 256,384 rows for umT5-XXL).</summary>
    public int VocabularySize => Model.Pieces.Count;

    /// <summary>Loads <c>spiece.model</c> from a tokenizer directory (original google/umt5-xxl or diffusers tokenizer/).</summary>
    /// <exception cref="FileNotFoundException">The file is missing or cannot be read; the message names it.</exception>
    /// <exception cref="InvalidDataException">It is not a usable unigram sentencepiece model; one line naming the file.</exception>
    public static Umt5Tokenizer Load(string tokenizerDirectory)
    {
        var path = Path.Combine(tokenizerDirectory, ModelFileName);
        Wan.Runtime.Weights.Storage.LinkedFile.RequireFile(path, "umT5 tokenizer model");
        return new Umt5Tokenizer(SentencePieceModel.Load(path));
    }

    /// <summary>The sentencepiece ids of <paramref name="text"/>, without eos.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    public int[] EncodePieces(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var normalized = normalizer.Normalize(Encoding.UTF8.GetBytes(text));
        return [.. segmenter.Segment(normalized)];
    }

    /// <summary>
    /// Tokenizes as the T5 tokenizer does with padding to <paramref name="maxLength"/> and
    /// truncation: at most maxLength - 1 pieces, then eos.
    /// </summary>
    /// <param name="text">The prompt, already cleaned (<see cref="WanPromptCleaner.Clean"/>).</param>
    /// <param name="maxLength">The padded length in tokens (512 for Wan's text encoder).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLength"/> is below 1.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    public TokenizedText Encode(string text, int maxLength = 512)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        var pieces = EncodePieces(text);
        var truncated = pieces.Length > maxLength - 1;
        var kept = truncated ? maxLength - 1 : pieces.Length;
        var ids = new int[kept + 1];
        pieces.AsSpan(0, kept).CopyTo(ids);
        ids[kept] = EosId;

        var padded = new int[maxLength];
        Array.Fill(padded, PadId);
        ids.CopyTo(padded, 0);
        var mask = new int[maxLength];
        Array.Fill(mask, 1, 0, ids.Length);
        return new TokenizedText(ids, padded, mask, truncated);
    }

    private static PieceTrie? UserDefinedPieces(SentencePieceModel model)
    {
        var entries = new List<(byte[], int)>();
        for (var id = 0; id < model.Pieces.Count; id++)
        {
            if (model.Pieces[id].Type == SentencePieceType.UserDefined)
            {
                entries.Add((Encoding.UTF8.GetBytes(model.Pieces[id].Piece), id));
            }
        }
        return entries.Count == 0 ? null : new PieceTrie(entries);
    }
}
