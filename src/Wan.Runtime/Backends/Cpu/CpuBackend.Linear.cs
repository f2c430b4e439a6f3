using System.Buffers;
using Wan.Kernels;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends.Cpu;

public sealed partial class CpuBackend
{
    /// <summary>
    /// Whether a Linear drops the pages of a mapped weight from the resident set once it has been
    /// multiplied (default on). Mapped pages that were read count towards RSS; without this the
    /// 11 GB umT5-XXL alone would stay resident after encoding. Reused weights (the DiT's, every
    /// step) fault back in from the page cache, which costs little next to their GEMMs.
    /// </summary>
    public bool ReleaseWeightPagesAfterLinear { get; init; } = true;

    /// <inheritdoc/>
    public Tensor Linear(Tensor x, Tensor weight, Tensor? bias) => Linear(x, weight, bias, 1);

    /// <summary>
    /// <see cref="Linear(Tensor, Tensor, Tensor?)"/> with one GEMM per sample (row block) of x: OpenBLAS
    /// rounds a row differently depending on how many rows a call has, so this keeps each sample's output
    /// bits those of the sample alone. A mapped weight is still converted once for all samples.
    /// </summary>
    /// <exception cref="ArgumentException">the rows are not a multiple of <paramref name="samples"/>, or the shapes disagree.</exception>
    public Tensor LinearPerSample(Tensor x, Tensor weight, Tensor? bias, int samples) => Linear(x, weight, bias, samples);

    private Tensor Linear(Tensor x, Tensor weight, Tensor? bias, int samples)
    {
        var (n, k) = Matrix(x, "linear input");
        if (samples < 1 || n % samples != 0)
        {
            throw new ArgumentException($"linear per sample: {n} rows of {x.Shape} are not {samples} equal samples");
        }
        int rowsPerSample = n / samples;
        if (weight.Shape.Rank != 2 || weight.Shape[1] != k)
        {
            throw new ArgumentException($"linear: weight {weight.Shape} does not take inputs of width {k} (x {x.Shape})");
        }
        int m = weight.Shape[0];
        var dims = x.Shape.ToArray();
        dims[^1] = m;
        var y = new float[(long)n * m];
        var xs = Cpu(x).Data;
        if (weight is MappedCpuTensor mapped)
        {
            LinearMapped(xs, rowsPerSample, samples, k, Mapped(mapped), m, y);
            if (ReleaseWeightPagesAfterLinear)
            {
                mapped.ReleasePages();
            }
        }
        else
        {
            var w = Cpu(weight).Data;
            for (int s = 0; s < samples; s++)
            {
                Blas.Sgemm(false, true, rowsPerSample, m, k, 1f, xs.AsSpan(s * rowsPerSample * k), k, w, k, 0f, y.AsSpan(s * rowsPerSample * m), m);
            }
        }
        if (bias is not null)
        {
            Vector(bias, m, "linear bias");
            var b = Cpu(bias).Data;
            ForRows(n, m, r => System.Numerics.Tensors.TensorPrimitives.Add(y.AsSpan(r * m, m), b, y.AsSpan(r * m, m)));
        }
        return new CpuTensor(this, new Shape(dims), y);
    }

    /// <summary>
    /// y[:, rows] = x · W[rows]ᵀ for blocks of weight rows: F32 weights are multiplied in place in
    /// the mapping, BF16/F16 blocks are converted into one bounded scratch buffer first; each block
    /// then multiplies every sample's n rows (one GEMM per sample).
    /// </summary>
    private void LinearMapped(float[] x, int n, int samples, int k, MappedCpuTensor weight, int m, float[] y)
    {
        int blockRows = Math.Clamp(_linearScratchFloats / Math.Max(k, 1), 1, m);
        if (weight.DType == DType.F32)
        {
            for (int r0 = 0; r0 < m; r0 += blockRows)
            {
                int rows = Math.Min(blockRows, m - r0);
                MultiplyBlock(x, n, samples, k, weight.F32Span((long)r0 * k, rows * k), rows, y, r0, m);
            }
            return;
        }
        var scratch = ArrayPool<float>.Shared.Rent(blockRows * k);
        try
        {
            for (int r0 = 0; r0 < m; r0 += blockRows)
            {
                int rows = Math.Min(blockRows, m - r0);
                ConvertRows(weight, (long)r0 * k, scratch, rows * k);
                MultiplyBlock(x, n, samples, k, scratch.AsSpan(0, rows * k), rows, y, r0, m);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scratch);
        }
    }

    /// <summary>y[s·n.., r0..r0+rows) = x[s·n..] · block ᵀ for each sample s (block: weight rows [r0, r0 + rows)).</summary>
    private static void MultiplyBlock(float[] x, int n, int samples, int k, ReadOnlySpan<float> block, int rows, float[] y, int r0, int m)
    {
        for (int s = 0; s < samples; s++)
        {
            Blas.Sgemm(false, true, n, rows, k, 1f, x.AsSpan(s * n * k), k, block, k, 0f, y.AsSpan(s * n * m + r0), m);
        }
    }

    /// <summary>Elements converted per task: below this, splitting the conversion costs more than it saves.</summary>
    private const int ConversionChunk = 1 << 18;

    /// <summary>
    /// Converts weight elements [first, first + count) into scratch[0, count), split across the
    /// cores: between two sgemm calls the conversion (and any page faults on the mapping) would
    /// otherwise run on one core while the others wait.
    /// </summary>
    private static void ConvertRows(MappedCpuTensor weight, long first, float[] scratch, int count)
    {
        int chunks = Math.Clamp(count / ConversionChunk, 1, Environment.ProcessorCount);
        if (chunks == 1)
        {
            weight.ReadFloats(first, scratch.AsSpan(0, count));
            return;
        }
        int per = (count + chunks - 1) / chunks;
        Parallel.For(0, chunks, c =>
        {
            int start = c * per, length = Math.Min(per, count - start);
            weight.ReadFloats(first + start, scratch.AsSpan(start, length));
        });
    }
}
