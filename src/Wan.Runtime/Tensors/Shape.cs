using System.Collections.Immutable;

namespace Wan.Runtime.Tensors;

/// <summary>An immutable row-major tensor shape (last dimension fastest).</summary>
public readonly struct Shape : IEquatable<Shape>
{
    private readonly ImmutableArray<int> _dims;

    /// <summary>A shape of the given dimensions; <see cref="ArgumentException"/> for a negative one.</summary>
    public Shape(params int[] dims) : this(dims.AsSpan()) { }

    /// <summary>A shape of the given dimensions; <see cref="ArgumentException"/> for a negative one.</summary>
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

    /// <summary>Number of dimensions (0 for a scalar).</summary>
    public int Rank => _dims.IsDefault ? 0 : _dims.Length;
    /// <summary>The size of an axis; a negative axis counts from the end.</summary>
    public int this[int axis] => _dims[axis < 0 ? Rank + axis : axis];
    /// <summary>The dimensions, outermost first.</summary>
    public ReadOnlySpan<int> Dims => _dims.AsSpan();

    /// <summary>Product of the dimensions, in checked 64-bit arithmetic (<see cref="OverflowException"/> beyond).</summary>
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

    /// <summary>The dimensions as a new array.</summary>
    public int[] ToArray() => Dims.ToArray();

    /// <summary>Same rank and dimensions.</summary>
    public bool Equals(Shape other) => Dims.SequenceEqual(other.Dims);
    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Shape s && Equals(s);
    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var d in Dims)
        {
            h.Add(d);
        }
        return h.ToHashCode();
    }

    /// <summary>Same rank and dimensions.</summary>
    public static bool operator ==(Shape a, Shape b) => a.Equals(b);
    /// <summary>Different rank or dimensions.</summary>
    public static bool operator !=(Shape a, Shape b) => !a.Equals(b);
    /// <summary>"[d0, d1, ...]".</summary>
    public override string ToString() => "[" + string.Join(", ", _dims.IsDefault ? [] : _dims) + "]";
}
