using System.Collections.Immutable;

namespace Wan.Runtime.Tensors;

/// <summary>An immutable row-major tensor shape (last dimension fastest).</summary>
public readonly struct Shape : IEquatable<Shape>
{
    private readonly ImmutableArray<int> _dims;

    public Shape(params int[] dims) : this(dims.AsSpan()) { }

    public Shape(ReadOnlySpan<int> dims)
    {
        foreach (var d in dims)
        {
            if (d < 0)
            {
                throw new ArgumentException($"shape dimensions must be non-negative, got [{string.Join(", ", dims.ToArray())}]");
            }
        }
        _dims = [.. dims];
    }

    public int Rank => _dims.IsDefault ? 0 : _dims.Length;
    public int this[int axis] => _dims[axis < 0 ? Rank + axis : axis];
    public ReadOnlySpan<int> Dims => _dims.AsSpan();

    public long ElementCount
    {
        get
        {
            long n = 1;
            foreach (var d in Dims)
            {
                n = checked(n * d);
            }
            return n;
        }
    }

    /// <summary>Number of elements as an int, for buffers that must fit one managed array.</summary>
    public int Size => checked((int)ElementCount);

    public int[] ToArray() => Dims.ToArray();

    public bool Equals(Shape other) => Dims.SequenceEqual(other.Dims);
    public override bool Equals(object? obj) => obj is Shape s && Equals(s);
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var d in Dims)
        {
            h.Add(d);
        }
        return h.ToHashCode();
    }

    public static bool operator ==(Shape a, Shape b) => a.Equals(b);
    public static bool operator !=(Shape a, Shape b) => !a.Equals(b);
    public override string ToString() => "[" + string.Join(", ", _dims.IsDefault ? [] : _dims) + "]";
}
