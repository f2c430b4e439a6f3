using Wan.Runtime.Tensors;
using Wan.Runtime.Weights;

namespace Wan.Runtime.Backends.Cpu;

/// <summary>
/// The reference backend: float32 arithmetic, big weights left memory-mapped in their stored dtype
/// and converted block by block where they are used, GEMMs through OpenBLAS, row-parallel vector
/// work through TensorPrimitives.
/// </summary>
public sealed partial class CpuBackend : IRoutingOps, ITextEncoderOps, IVaeOps, INonFiniteCheck
{
    /// <inheritdoc/>
    public string Name => "cpu";

    /// <summary>Always <see cref="DType.F32"/>: activations are float32 (big weights may stay mapped in their stored dtype).</summary>
    public DType Storage => DType.F32;

    /// <inheritdoc/>
    public Tensor FromHost(ReadOnlySpan<float> data, Shape shape)
    {
        if (data.Length != shape.ElementCount)
        {
            throw new ArgumentException($"{data.Length} values do not fill shape {shape}");
        }
        return new CpuTensor(this, shape, data.ToArray());
    }

    /// <summary>Default for the eager-conversion limit: 256 Ki elements (1 MiB of float32).</summary>
    public const long DefaultEagerWeightElements = 1 << 18;

    /// <summary>Default scratch for one converted block of a mapped Linear weight: 4 Mi floats (16 MiB), ≥ 300 rows even for k = 13824.</summary>
    public const int DefaultLinearScratchFloats = 1 << 22;

    private readonly WeightLeases _weightLeases = new();
    private readonly long _eagerWeightElements;
    private readonly int _linearScratchFloats;

    /// <param name="eagerWeightElements">
    /// Weights up to this many elements (and every 1-D weight: norms, biases) are converted to float32
    /// when loaded; larger ones stay memory-mapped in their stored dtype.
    /// </param>
    /// <param name="linearScratchFloats">
    /// Floats of scratch a Linear over a mapped BF16/F16 weight converts at a time: the bound on its
    /// working memory beyond input and output. Big enough that each block's GEMM stays efficient.
    /// </param>
    public CpuBackend(long eagerWeightElements = DefaultEagerWeightElements, int linearScratchFloats = DefaultLinearScratchFloats)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(eagerWeightElements);
        ArgumentOutOfRangeException.ThrowIfLessThan(linearScratchFloats, 1);
        _eagerWeightElements = eagerWeightElements;
        _linearScratchFloats = linearScratchFloats;
    }

    /// <summary>The CPU backend is float32 throughout: the same as <see cref="FromHost"/>.</summary>
    public Tensor FromHostF32(ReadOnlySpan<float> data, Shape shape) => FromHost(data, shape);

    /// <summary>
    /// Small and 1-D weights, and those with a scale or an 8-bit dtype, are converted to float32 now;
    /// larger F32/BF16/F16 ones stay where they are stored (leased, see <see cref="MappedCpuTensor"/>).
    /// Throws <see cref="InvalidDataException"/> naming the location for a non-float dtype.
    /// </summary>
    public Tensor LoadWeight(StoredTensor source)
    {
        if (!source.DType.IsFloat())
        {
            throw new InvalidDataException($"{source.Location}: weight '{source.Name}' has dtype {source.DType}, expected a float type");
        }
        if (source.ElementCount <= _eagerWeightElements || source.Shape.Rank <= 1 || source.Scale is not null
            || source.DType is not (DType.F32 or DType.BF16 or DType.F16))
        {
            return new CpuTensor(this, source.Shape, source.ToFloatArray());
        }
        return new MappedCpuTensor(this, source.Shape, source.DType, source.Name, _weightLeases, source.Acquire());
    }

    /// <inheritdoc/>
    public float[] ToHost(Tensor tensor) =>
        tensor is MappedCpuTensor mapped ? Mapped(mapped).ToFloatArray() : (float[])Cpu(tensor).Data.Clone();

    /// <inheritdoc/>
    public Tensor Reshape(Tensor x, Shape shape)
    {
        if (shape.ElementCount != x.ElementCount)
        {
            throw new ArgumentException($"cannot reshape {x.Shape} to {shape}");
        }
        return x is MappedCpuTensor mapped ? Mapped(mapped).Reshaped(shape) : new CpuTensor(this, shape, Cpu(x).Data);
    }

    /// <inheritdoc/>
    public Tensor SliceRows(Tensor x, int start, int count)
    {
        var (rows, cols) = Matrix(x, nameof(x));
        if (start < 0 || count < 0 || start + count > rows)
        {
            throw new ArgumentOutOfRangeException(nameof(start), $"rows [{start}, {start + count}) outside {x.Shape}");
        }
        if (x is MappedCpuTensor mapped)
        {
            var rowsRead = new float[(long)count * cols];
            Mapped(mapped).ReadFloats((long)start * cols, rowsRead);
            return new CpuTensor(this, new Shape(count, cols), rowsRead);
        }
        return new CpuTensor(this, new Shape(count, cols), Cpu(x).Data.AsSpan(start * cols, count * cols).ToArray());
    }

    /// <summary>Gathers rows of the table; a mapped table is read row by row, never converted whole.</summary>
    public Tensor Embedding(Tensor table, ReadOnlySpan<int> ids)
    {
        var (vocab, dim) = Matrix(table, nameof(table));
        var mapped = table is MappedCpuTensor m ? Mapped(m) : null;
        var src = mapped is null ? Cpu(table).Data : [];
        var dst = new float[(long)ids.Length * dim];
        for (int i = 0; i < ids.Length; i++)
        {
            if ((uint)ids[i] >= (uint)vocab)
            {
                throw new ArgumentOutOfRangeException(nameof(ids), $"token id {ids[i]} outside the vocabulary of {vocab}");
            }
            var row = dst.AsSpan(i * dim, dim);
            if (mapped is not null)
            {
                mapped.ReadFloats((long)ids[i] * dim, row);
            }
            else
            {
                src.AsSpan(ids[i] * dim, dim).CopyTo(row);
            }
        }
        return new CpuTensor(this, new Shape(ids.Length, dim), dst);
    }

    /// <summary>Unmaps every weight file still open; mapped weights of this backend are unusable afterwards.</summary>
    public void Dispose() => _weightLeases.Dispose();

    /// <summary>
    /// The float32 data of a tensor of this backend. A mapped weight is converted into a transient
    /// copy: right for the small weights of norms, convs and patchify; ops that take big weights
    /// (Linear, Embedding, SliceRows) stream them through <see cref="Mapped"/> instead.
    /// </summary>
    internal CpuTensor Cpu(Tensor t) => t switch
    {
        CpuTensor c when ReferenceEquals(c.Backend, this) => c,
        MappedCpuTensor m when ReferenceEquals(m.Backend, this) => new CpuTensor(this, m.Shape, m.ToFloatArray()),
        _ => throw new ArgumentException($"tensor {t} does not belong to this CPU backend"),
    };

    internal MappedCpuTensor Mapped(MappedCpuTensor t) =>
        ReferenceEquals(t.Backend, this) ? t : throw new ArgumentException($"tensor {t} does not belong to this CPU backend");

    internal CpuTensor NewLike(Tensor t) => new(this, t.Shape, new float[t.ElementCount]);

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
