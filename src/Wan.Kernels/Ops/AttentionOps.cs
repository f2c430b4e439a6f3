using Wan.Kernels.Device;

namespace Wan.Kernels.Ops;

/// <summary>
/// Launchers of kernels/cuda/attention.cu: the Q/K pre-pass (RMSNorm over all heads, then RoPE) and
/// the attention itself, q [lq, heads·headDim], k and v [lk, heads·headDim] → output [lq, heads·headDim].
/// 16-bit storage runs the tensor-core kernel (head_dim a multiple of 16 up to 128), fp32 the
/// scalar one (head_dim up to 256).
/// </summary>
public static unsafe class AttentionOps
{
    /// <summary>Query rows per block of the tensor-core kernel (4 warps × 2 m16 tiles of 16 rows).</summary>
    public const int TensorCoreRows = 128;

    /// <summary>Keys per shared-memory K/V tile of the tensor-core kernel (double-buffered, filled by cp.async).</summary>
    public const int TensorCoreKeys = 64;

    /// <summary>Threads per block of both attention kernels (4 warps).</summary>
    public const int Threads = 128;

    /// <summary>Byte alignment the tensor-core kernel needs of q, k, v and the output (its 16-byte cp.async copies).</summary>
    public const int TensorCoreAlignment = 16;

    /// <summary>Query rows per block of the fp32 kernel (one warp per row).</summary>
    public const int F32Rows = 4;

    /// <summary>Largest head_dim of the fp32 kernel.</summary>
    public const int MaxF32HeadDim = 256;

    /// <summary>Largest head_dim of the tensor-core kernels (multiples of 16).</summary>
    public const int MaxTensorCoreHeadDim = 128;

    /// <summary>16-bit elements of padding per shared-memory row of the tensor-core kernel (16 bytes).</summary>
    public const int PadElements = 8;

    private const int PrepareMaxThreads = 256;

    /// <summary>Whether <paramref name="headDim"/> has a kernel for storage <paramref name="type"/>.</summary>
    public static bool Supports(ElementType type, int headDim) => type == ElementType.F32
        ? headDim > 0 && headDim <= MaxF32HeadDim
        : headDim > 0 && headDim % 16 == 0 && headDim <= MaxTensorCoreHeadDim;

    /// <summary>
    /// Dynamic shared memory in bytes of the tensor-core kernel for <paramref name="headDim"/>: the Q tile
    /// [128, headDim + 8] and two stages each of K and V [64, headDim + 8], 16-bit elements
    /// (104,448 B at head_dim 128: above 48 KiB, so the CUDA device opts in per kernel).
    /// </summary>
    public static int TensorCoreSharedBytes(int headDim) =>
        2 * (TensorCoreRows + 4 * TensorCoreKeys) * (headDim + PadElements);

    /// <summary>
    /// y = RoPE(x · rsqrt(mean(x²) + eps) · normWeight) per row of x [rows, dim]: the norm when
    /// <paramref name="normWeight"/> [dim] is given, the rotation when <paramref name="cos"/>/<paramref name="sin"/>
    /// [≥ rows, headDim/2] (always fp32, whatever the storage type) are. y may alias x.
    /// </summary>
    public static void Prepare(IDevice device, ElementType type, DeviceBuffer x, DeviceBuffer? normWeight, DeviceBuffer? cos, DeviceBuffer? sin,
        DeviceBuffer y, int rows, int dim, int headDim, float eps)
    {
        const string op = "attention_prepare";
        OperandChecks.NonNegative(rows, op, nameof(rows));
        OperandChecks.Positive(dim, op, nameof(dim));
        OperandChecks.Positive(headDim, op, nameof(headDim));
        if (headDim % 2 != 0 || dim % headDim != 0)
        {
            throw new ArgumentException($"{op}: head_dim {headDim} must be even and divide the row width {dim}");
        }
        if ((cos is null) != (sin is null))
        {
            throw new ArgumentException($"{op}: cos and sin come together (got only {(cos is null ? "sin" : "cos")})");
        }
        OperandChecks.Holds(x, (long)rows * dim, type, op, nameof(x));
        OperandChecks.Holds(y, (long)rows * dim, type, op, nameof(y));
        if (normWeight is not null)
        {
            OperandChecks.Holds(normWeight, dim, type, op, nameof(normWeight));
        }
        if (cos is not null && sin is not null)
        {
            OperandChecks.Holds(cos, (long)rows * (headDim / 2), ElementType.F32, op, nameof(cos));
            OperandChecks.Holds(sin, (long)rows * (headDim / 2), ElementType.F32, op, nameof(sin));
        }
        if (rows == 0)
        {
            return;
        }
        ulong px = x.Address, pw = normWeight?.Address ?? 0, pc = cos?.Address ?? 0, ps = sin?.Address ?? 0, py = y.Address;
        void** args = stackalloc void*[] { &px, &pw, &pc, &ps, &py, &rows, &dim, &headDim, &eps };
        var block = new Dim3(Math.Min(PrepareMaxThreads, (dim / 2 + 31) / 32 * 32));
        device.Launch($"{op}_{type.KernelSuffix()}", new Dim3(rows), block, 0, args);
    }

    /// <summary>
    /// output = softmax(scale · q·kᵀ + bias)·v per head over keys [0, validKeys); bias [heads, lq, lk]
    /// in the storage type or null. q and output [lq, heads·headDim], k and v [lk, heads·headDim].
    /// Follows the official Wan attention (wan/modules/attention.py, flash_attention with k_lens).
    /// With <paramref name="frameRadius"/> ≥ 0 (self-attention over frame-major tokens, <paramref name="frameTokens"/>
    /// per frame, lq = lk = validKeys) a query of frame f attends only to keys of frames [f − R, f + R], and
    /// key tiles outside every row's window of a block are skipped; −1 (default) = full attention.
    /// </summary>
    /// <exception cref="NotSupportedException">headDim has no kernel for the storage type.</exception>
    /// <exception cref="ArgumentOutOfRangeException">validKeys is outside 1..lk.</exception>
    /// <exception cref="ArgumentException">A buffer is too small, (16-bit) not 16-byte aligned, or the frame window does not fit the tokens.</exception>
    public static void Attention(IDevice device, ElementType type, DeviceBuffer q, DeviceBuffer k, DeviceBuffer v, DeviceBuffer? bias,
        DeviceBuffer output, int lq, int lk, int validKeys, int heads, int headDim, float scale, int frameTokens = 0, int frameRadius = -1)
    {
        const string op = "attention";
        OperandChecks.NonNegative(lq, op, nameof(lq));
        OperandChecks.Positive(lk, op, nameof(lk));
        OperandChecks.Positive(heads, op, nameof(heads));
        if (!Supports(type, headDim))
        {
            throw new NotSupportedException(type == ElementType.F32
                ? $"{op}: head_dim {headDim} is outside the fp32 kernel's 1..{MaxF32HeadDim}"
                : $"{op}: head_dim {headDim} has no {type} tensor-core kernel (multiples of 16 up to {MaxTensorCoreHeadDim})");
        }
        if (validKeys < 1 || validKeys > lk)
        {
            throw new ArgumentOutOfRangeException(nameof(validKeys), $"{op}: {validKeys} valid keys of {lk}");
        }
        if (frameRadius >= 0 && (frameTokens < 1 || lq != lk || validKeys != lk || lk % frameTokens != 0 || frameRadius >= lk / frameTokens))
        {
            throw new ArgumentException($"{op}: a frame window of radius {frameRadius} needs self-attention over whole frames of {frameTokens} tokens, narrower than the video (lq {lq}, lk {lk}, {validKeys} valid keys)");
        }
        int dim = heads * headDim;
        OperandChecks.Holds(q, (long)lq * dim, type, op, nameof(q));
        OperandChecks.Holds(k, (long)lk * dim, type, op, nameof(k));
        OperandChecks.Holds(v, (long)lk * dim, type, op, nameof(v));
        OperandChecks.Holds(output, (long)lq * dim, type, op, nameof(output));
        if (bias is not null)
        {
            OperandChecks.Holds(bias, (long)heads * lq * lk, type, op, nameof(bias));
        }
        if (type != ElementType.F32)
        {
            foreach (var (buffer, name) in new[] { (q, nameof(q)), (k, nameof(k)), (v, nameof(v)), (output, nameof(output)) })
            {
                if (buffer.Address % TensorCoreAlignment != 0)
                {
                    throw new ArgumentException($"{op}: {name} at 0x{buffer.Address:x} is not {TensorCoreAlignment}-byte aligned (the tensor-core kernel copies 16-byte chunks)");
                }
            }
        }
        if (lq == 0)
        {
            return;
        }
        ulong pq = q.Address, pk = k.Address, pv = v.Address, pb = bias?.Address ?? 0, po = output.Address;
        if (type == ElementType.F32)
        {
            void** args = stackalloc void*[] { &pq, &pk, &pv, &pb, &po, &lq, &lk, &validKeys, &dim, &headDim, &scale, &frameTokens, &frameRadius };
            device.Launch("attention_f32", new Dim3((lq + F32Rows - 1) / F32Rows, heads), new Dim3(Threads), 0, args);
        }
        else
        {
            void** args = stackalloc void*[] { &pq, &pk, &pv, &pb, &po, &lq, &lk, &validKeys, &dim, &scale, &frameTokens, &frameRadius };
            device.Launch($"flash_attention_{type.KernelSuffix()}_d{headDim}", new Dim3((lq + TensorCoreRows - 1) / TensorCoreRows, heads),
                new Dim3(Threads), TensorCoreSharedBytes(headDim), args);
        }
    }
}
