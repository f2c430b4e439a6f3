using System.Buffers.Binary;

namespace Wan.Runtime.Text;

/// <summary>
/// sentencepiece's compiled normalization rules (normalizer_spec.precompiled_charsmap): a 4-byte
/// little-endian trie size, a Darts-clone double array mapping UTF-8 input sequences to offsets, and
/// a blob of NUL-terminated replacement strings those offsets point into.
/// </summary>
internal sealed class PrecompiledCharsMap
{
    private readonly DartsDoubleArray trie;
    private readonly byte[] replacements;

    public PrecompiledCharsMap(ReadOnlySpan<byte> blob)
    {
        if (blob.Length <= 4)
        {
            throw new InvalidDataException($"precompiled_charsmap of {blob.Length} bytes is too short");
        }
        var trieSize = BinaryPrimitives.ReadUInt32LittleEndian(blob);
        if (trieSize >= (uint)blob.Length - 4)
        {
            throw new InvalidDataException($"precompiled_charsmap trie size {trieSize} exceeds the {blob.Length}-byte blob");
        }
        trie = new DartsDoubleArray(blob.Slice(4, (int)trieSize));
        replacements = blob[(4 + (int)trieSize)..].ToArray();
    }

    /// <summary>
    /// The rule for the longest matching prefix of <paramref name="input"/>: how many input bytes it
    /// consumes (0 = no rule applies) and the UTF-8 replacement (possibly empty).
    /// </summary>
    public (int Consumed, ReadOnlyMemory<byte> Replacement) Match(ReadOnlySpan<byte> input)
    {
        var (length, value) = trie.LongestPrefix(input);
        if (length == 0)
        {
            return (0, ReadOnlyMemory<byte>.Empty);
        }
        if (value >= replacements.Length)
        {
            throw new InvalidDataException($"precompiled_charsmap rule points at byte {value} beyond its {replacements.Length}-byte string blob");
        }
        var end = Array.IndexOf(replacements, (byte)0, value);
        if (end < 0)
        {
            end = replacements.Length;
        }
        return (length, replacements.AsMemory(value, end - value));
    }
}
