using System.Buffers.Binary;

namespace Wan.Runtime.Text;

/// <summary>
/// Read-only view of a Darts-clone double-array trie, the layout sentencepiece stores its compiled
/// normalization rules in: an array of little-endian 32-bit units, each holding a label (low byte,
/// MSB set on leaf units), a has-leaf flag (bit 8), an offset to its children (bits 10..31, scaled by
/// 256 when bit 9 is set) or, for leaf units, a 31-bit value.
/// </summary>
internal sealed class DartsDoubleArray
{
    private const uint NoLabel = 1u << 31;

    private readonly uint[] units;

    public DartsDoubleArray(ReadOnlySpan<byte> blob)
    {
        if (blob.Length == 0 || blob.Length % 4 != 0)
        {
            throw new InvalidDataException($"double-array trie of {blob.Length} bytes is not a whole number of 4-byte units");
        }
        units = new uint[blob.Length / 4];
        for (var i = 0; i < units.Length; i++)
        {
            units[i] = BinaryPrimitives.ReadUInt32LittleEndian(blob.Slice(i * 4, 4));
        }
    }

    public int UnitCount => units.Length;

    /// <summary>
    /// The longest key that is a prefix of <paramref name="key"/>: its length in bytes (0 = none) and
    /// its value.
    /// </summary>
    public (int Length, int Value) LongestPrefix(ReadOnlySpan<byte> key)
    {
        var longestLength = 0;
        var longestValue = 0;
        var nodePos = Offset(units[0]);
        for (var i = 0; i < key.Length; i++)
        {
            nodePos ^= key[i];
            // A position past the array cannot hold this label (Darts pads blocks, so a
            // well-formed array only gets here for keys it does not contain).
            var unit = nodePos < (uint)units.Length ? units[nodePos] : NoLabel;
            if (Label(unit) != key[i])
            {
                break;
            }
            nodePos ^= Offset(unit);
            if (HasLeaf(unit))
            {
                longestLength = i + 1;
                longestValue = (int)(Unit(nodePos) & 0x7FFFFFFFu);
            }
        }
        return (longestLength, longestValue);
    }

    private uint Unit(uint pos) =>
        pos < (uint)units.Length
            ? units[pos]
            : throw new InvalidDataException($"double-array trie points at unit {pos} beyond its {units.Length} units");

    private static bool HasLeaf(uint unit) => ((unit >> 8) & 1) == 1;

    private static uint Label(uint unit) => unit & ((1u << 31) | 0xFF);

    private static uint Offset(uint unit) => (unit >> 10) << (int)((unit & (1u << 9)) >> 6);
}
