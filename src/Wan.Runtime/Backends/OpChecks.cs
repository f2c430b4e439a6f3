using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends;

/// <summary>The shape checks every backend's typed ops share; each throws naming the op and the shapes.</summary>
internal static class OpChecks
{
    /// <summary>Views a tensor as [rows, last dim].</summary>
    public static (int Rows, int Cols) Matrix(Tensor t, string what)
    {
        if (t.Shape.Rank < 1)
        {
            throw new ArgumentException($"{what}: expected at least 1 dimension, got {t.Shape}");
        }
        int cols = t.Shape[-1];
        return (cols == 0 ? 0 : checked((int)(t.ElementCount / cols)), cols);
    }

    public static void SameShape(Tensor a, Tensor b, string op)
    {
        if (a.Shape != b.Shape)
        {
            throw new ArgumentException($"{op}: shapes {a.Shape} and {b.Shape} differ");
        }
    }

    public static void Vector(Tensor v, int length, string what)
    {
        if (v.ElementCount != length)
        {
            throw new ArgumentException($"{what}: expected {length} elements, got {v.Shape}");
        }
    }
}
