using System.Text;

namespace Wan.Runtime.Text;

/// <summary>
/// Viterbi segmentation of normalized UTF-8 text with a unigram model, following sentencepiece's
/// optimized encoder: the best path ending at every byte position is kept; at each character
/// start every vocabulary piece found by the trie competes with its score (user-defined pieces
/// with length * max_score - 0.1 so they always win, unused pieces not at all); a character no
/// single-character piece covers is an unknown piece scored min_score - 10. Ties keep the first
/// candidate. Consecutive unknown pieces are merged into one id, or, with byte fallback, spelled
/// as byte pieces.
/// </summary>
internal sealed class UnigramSegmenter
{
    private const float UnknownPenalty = 10.0f;
    private static readonly float SmallestNormalFloat = BitConverter.Int32BitsToSingle(0x00800000);

    private readonly SentencePieceModel model;
    private readonly PieceTrie trie;
    private readonly float minScore;
    private readonly float maxScore;
    private readonly int[]? bytePieceIds;

    public UnigramSegmenter(SentencePieceModel model)
    {
        this.model = model;
        var entries = new List<(byte[], int)>(model.Pieces.Count);
        minScore = float.MaxValue;
        // sentencepiece starts the maximum at FLT_MIN (the smallest positive normal float), not
        // at -FLT_MAX; user-defined scores depend on it, so the same start value is kept.
        maxScore = SmallestNormalFloat;
        for (var id = 0; id < model.Pieces.Count; id++)
        {
            var p = model.Pieces[id];
            if (p.Type == SentencePieceType.Normal)
            {
                minScore = Math.Min(minScore, p.Score);
                maxScore = Math.Max(maxScore, p.Score);
            }
            if (p.Type is SentencePieceType.Normal or SentencePieceType.UserDefined or SentencePieceType.Unused)
            {
                entries.Add((Encoding.UTF8.GetBytes(p.Piece), id));
            }
        }
        if (entries.Count == 0)
        {
            throw new InvalidDataException($"sentencepiece model {model.Source}: no normal, user-defined or unused pieces to segment with");
        }
        trie = new PieceTrie(entries);
        if (model.TrainerSpec.ByteFallback)
        {
            bytePieceIds = new int[256];
            var ids = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var id = 0; id < model.Pieces.Count; id++)
            {
                ids.TryAdd(model.Pieces[id].Piece, id);
            }
            for (var b = 0; b < 256; b++)
            {
                bytePieceIds[b] = ids[SentencePieceModel.BytePieceName((byte)b)];
            }
        }
    }

    /// <summary>The piece ids of the best segmentation of <paramref name="normalized"/>.</summary>
    public List<int> Segment(ReadOnlySpan<byte> normalized)
    {
        var size = normalized.Length;
        var bestId = new int[size + 1];
        var bestScore = new float[size + 1];
        var bestStart = new int[size + 1];
        Array.Fill(bestStart, -1);
        var unknownScore = minScore - UnknownPenalty;

        var startsAt = 0;
        while (startsAt < size)
        {
            var scoreTillHere = bestScore[startsAt];
            var charLength = Math.Min(Utf8.LeadLength(normalized[startsAt]), size - startsAt);
            var hasSingleCharPiece = false;
            var node = PieceTrie.RootNode;
            for (var end = startsAt; end < size; end++)
            {
                node = trie.Child(node, normalized[end]);
                if (node < 0)
                {
                    break;
                }
                var id = trie.Value(node);
                if (id < 0 || model.Pieces[id].Type == SentencePieceType.Unused)
                {
                    continue;
                }
                var length = end + 1 - startsAt;
                Relax(end + 1, id, PathScore(id, length, scoreTillHere));
                if (length == charLength)
                {
                    hasSingleCharPiece = true;
                }
            }
            if (!hasSingleCharPiece)
            {
                Relax(startsAt + charLength, model.UnknownId, unknownScore + scoreTillHere);
            }
            startsAt += charLength;
        }

        var reversed = new List<(int Start, int End, int Id)>();
        for (var end = size; end > 0; end = bestStart[end])
        {
            reversed.Add((bestStart[end], end, bestId[end]));
        }
        reversed.Reverse();
        return Emit(reversed, normalized);

        void Relax(int end, int id, double candidate)
        {
            if (bestStart[end] == -1 || candidate > bestScore[end])
            {
                bestScore[end] = (float)candidate;
                bestStart[end] = startsAt;
                bestId[end] = id;
            }
        }
    }

    // Scores are added in float as sentencepiece does; only the user-defined bonus is formed in
    // double there (length * max_score - 0.1), and the comparison sees that double.
    private double PathScore(int id, int length, float scoreTillHere) =>
        model.Pieces[id].Type == SentencePieceType.UserDefined
            ? length * maxScore - 0.1 + scoreTillHere
            : model.Pieces[id].Score + scoreTillHere;

    private List<int> Emit(List<(int Start, int End, int Id)> path, ReadOnlySpan<byte> normalized)
    {
        var ids = new List<int>(path.Count);
        var previousUnknown = false;
        foreach (var (start, end, id) in path)
        {
            var unknown = id == model.UnknownId;
            if (unknown && bytePieceIds is not null)
            {
                foreach (var b in normalized[start..end])
                {
                    ids.Add(bytePieceIds[b]);
                }
            }
            else if (!(unknown && previousUnknown))
            {
                ids.Add(id);
            }
            previousUnknown = unknown;
        }
        return ids;
    }
}
