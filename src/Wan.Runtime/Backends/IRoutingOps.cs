using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends;

/// <summary>
/// The op family of batched DiT forwards over samples at different timesteps (expert routing,
/// <c>Pipeline/Batching</c>): a batch stacks each sample's rows — latents as [B, C·F·H·W], tokens as
/// [B·L, D] with sample s in rows [s·L, (s+1)·L) — and each sample carries its own modulation
/// ([B, D] shift/scale/gate). Routing gathers an expert's samples into a contiguous batch and scatters its
/// outputs back (official Wan2.2 <c>wan/text2video.py</c> switches the whole batch by timestep; this
/// is the same switch applied per sample).
/// </summary>
public interface IRoutingOps : IDitOps
{
    /// <summary>A routing table of row numbers into a batch of <paramref name="sourceRows"/> rows, copied to where the kernels read it.</summary>
    /// <exception cref="ArgumentOutOfRangeException">a row lies outside [0, sourceRows).</exception>
    RowIndex UploadRowIndex(ReadOnlySpan<int> rows, int sourceRows);

    /// <summary>y[i] = x[index[i]]: rows of x [R, C] → [index.Count, C] (bit copies).</summary>
    /// <exception cref="ArgumentException">x is not 2-D, has other than index.SourceRows rows, or the table belongs to another backend.</exception>
    Tensor GatherRows(Tensor x, RowIndex index);

    /// <summary>target[index[i]] = rows[i]: rows [index.Count, C] back into target [R, C] (bit copies); other rows keep their values.</summary>
    /// <exception cref="ArgumentException">the shapes disagree, the table repeats a row, or it belongs to another backend.</exception>
    void ScatterRowsInPlace(Tensor target, Tensor rows, RowIndex index);

    /// <summary>
    /// y[B·L, M] = x[B·L, K] · weight[M, K]ᵀ + bias[M] for the B samples of x (<paramref name="samples"/>):
    /// the same numbers as <see cref="IBackend.Linear"/> on each sample alone (bit for bit on the CPU,
    /// which runs one GEMM per sample on weights converted once; one GEMM over every row on CUDA).
    /// </summary>
    /// <exception cref="ArgumentException">the rows are not a multiple of <paramref name="samples"/>, or the shapes disagree.</exception>
    Tensor LinearPerSample(Tensor x, Tensor weight, Tensor? bias, int samples);

    /// <summary>The parts [n_i, C] stacked along rows → [Σ n_i, C].</summary>
    /// <exception cref="ArgumentException">no part, a part is not 2-D, or the widths differ.</exception>
    Tensor ConcatRows(IReadOnlyList<Tensor> parts);

    /// <summary>Each sample's <see cref="IDitOps.TimestepSinusoid"/> as row s of [B, dim] (float64 on the host, as the single one).</summary>
    /// <exception cref="ArgumentException">no timestep, or dim is not even and positive.</exception>
    Tensor TimestepSinusoids(ReadOnlySpan<double> timesteps, int dim);

    /// <summary>
    /// adaLN per sample: row r of x [B·L, D] belongs to sample s = r / L and becomes
    /// LayerNorm(x[r]) · (1 + scale[s]) + shift[s]; shift and scale [B, D]. Equal, row for row, to
    /// <see cref="IDitOps.ModulatedLayerNorm"/> on each sample alone.
    /// </summary>
    /// <exception cref="ArgumentException">the rows are not a multiple of B, or the widths differ.</exception>
    Tensor ModulatedLayerNormPerSample(Tensor x, Tensor shift, Tensor scale, float eps);

    /// <summary>x[r] += gate[s] · y[r] for rows of [B·L, D], s = r / L, gate [B, D] (per-sample gated residual).</summary>
    /// <exception cref="ArgumentException">the shapes disagree.</exception>
    void GatedAddInPlacePerSample(Tensor x, Tensor y, Tensor gate);
}
