using Wan.Runtime.Tensors;
using Wan.Runtime.Weights;

namespace Wan.Runtime.Backends.Cpu;

/// <summary>
/// The reference backend: float32 everywhere, weights converted from their stored dtype when
/// loaded, GEMMs through OpenBLAS, row-parallel vector work through TensorPrimitives.
/// </summary>
public sealed partial class CpuBackend : IBackend
{
    public string Name => "cpu";

    public Tensor FromHost(ReadOnlySpan<float> data, Shape shape)
    {
        if (data.Length != shape.ElementCount)
        {
            throw new ArgumentException($"{data.Length} values do not fill shape {shape}");
        }
        return new CpuTensor(this, shape, data.ToArray());
    }

    public Tensor LoadWeight(SafetensorsTensor source)
    {
        if (!source.DType.IsFloat())
        {
            throw new InvalidDataException($"{source.FilePath}: weight '{source.Name}' has dtype {source.DType}, expected a float type");
        }
        return new CpuTensor(this, source.Shape, source.ToFloatArray());
    }

    public float[] ToHost(Tensor tensor) => (float[])Cpu(tensor).Data.Clone();

    public Tensor Reshape(Tensor x, Shape shape)
    {
        if (shape.ElementCount != x.ElementCount)
        {
            throw new ArgumentException($"cannot reshape {x.Shape} to {shape}");
        }
        return new CpuTensor(this, shape, Cpu(x).Data);
    }

    public Tensor SliceRows(Tensor x, int start, int count)
    {
        var (rows, cols) = Matrix(x, nameof(x));
        if (start < 0 || count < 0 || start + count > rows)
        {
            throw new ArgumentOutOfRangeException(nameof(start), $"rows [{start}, {start + count}) outside {x.Shape}");
        }
        return new CpuTensor(this, new Shape(count, cols), Cpu(x).Data.AsSpan(start * cols, count * cols).ToArray());
    }

    public Tensor Embedding(Tensor table, ReadOnlySpan<int> ids)
    {
        var (vocab, dim) = Matrix(table, nameof(table));
        var src = Cpu(table).Data;
        var dst = new float[ids.Length * dim];
        for (int i = 0; i < ids.Length; i++)
        {
            if ((uint)ids[i] >= (uint)vocab)
            {
                throw new ArgumentOutOfRangeException(nameof(ids), $"token id {ids[i]} outside the vocabulary of {vocab}");
            }
            src.AsSpan(ids[i] * dim, dim).CopyTo(dst.AsSpan(i * dim, dim));
        }
        return new CpuTensor(this, new Shape(ids.Length, dim), dst);
    }

    public void Dispose() { }

    internal CpuTensor Cpu(Tensor t) =>
        t as CpuTensor is { } c && ReferenceEquals(c.Backend, this)
            ? c
            : throw new ArgumentException($"tensor {t} does not belong to this CPU backend");

    /// <summary>Views a tensor as [rows, last dim].</summary>
    internal static (int Rows, int Cols) Matrix(Tensor t, string what)
    {
        if (t.Shape.Rank < 1)
        {
            throw new ArgumentException($"{what}: expected at least 1 dimension, got {t.Shape}");
        }
        int cols = t.Shape[-1];
        return (cols == 0 ? 0 : checked((int)(t.ElementCount / cols)), cols);
    }

    internal CpuTensor NewLike(Tensor t) => new(this, t.Shape, new float[t.ElementCount]);

    internal static void SameShape(Tensor a, Tensor b, string op)
    {
        if (a.Shape != b.Shape)
        {
            throw new ArgumentException($"{op}: shapes {a.Shape} and {b.Shape} differ");
        }
    }

    internal static void Vector(Tensor v, int length, string what)
    {
        if (v.ElementCount != length)
        {
            throw new ArgumentException($"{what}: expected {length} elements, got {v.Shape}");
        }
    }

    /// <summary>Runs body(row) for every row, in parallel when the work is large enough to pay.</summary>
    internal static void ForRows(int rows, long workPerRow, Action<int> body)
    {
        if (rows * workPerRow < 1 << 15)
        {
            for (int r = 0; r < rows; r++)
            {
                body(r);
            }
        }
        else
        {
            Parallel.For(0, rows, body);
        }
    }
}
