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
    /// <summary>Query rows per block of the tensor-core kernel (4 warps × 16 rows).</summary>
    public const int TensorCoreRows = 64;

    /// <summary>Keys per shared-memory tile of the tensor-core kernel.</summary>
    public const int TensorCoreKeys = 32;

    /// <summary>Query rows per block of the fp32 kernel (one warp per row).</summary>
    public const int F32Rows = 4;

    public const int MaxF32HeadDim = 256;
    public const int MaxTensorCoreHeadDim = 128;
    private const int Threads = 128;
    private const int PadElements = 8;
    private const int PrepareMaxThreads = 256;

    /// <summary>Whether <paramref name="headDim"/> has a kernel for storage <paramref name="type"/>.</summary>
    public static bool Supports(ElementType type, int headDim) => type == ElementType.F32
        ? headDim > 0 && headDim <= MaxF32HeadDim
        : headDim > 0 && headDim % 16 == 0 && headDim <= MaxTensorCoreHeadDim;

    /// <summary>Dynamic shared memory of the tensor-core kernel: Q and K tiles with padded rows, and the transposed V tile.</summary>
    public static int TensorCoreSharedBytes(int headDim) =>
        2 * ((TensorCoreRows + TensorCoreKeys) * (headDim + PadElements) + headDim * (TensorCoreKeys + PadElements));

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
    /// in the storage type or null.
    /// </summary>
    public static void Attention(IDevice device, ElementType type, DeviceBuffer q, DeviceBuffer k, DeviceBuffer v, DeviceBuffer? bias,
        DeviceBuffer output, int lq, int lk, int validKeys, int heads, int headDim, float scale)
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
        int dim = heads * headDim;
        OperandChecks.Holds(q, (long)lq * dim, type, op, nameof(q));
        OperandChecks.Holds(k, (long)lk * dim, type, op, nameof(k));
        OperandChecks.Holds(v, (long)lk * dim, type, op, nameof(v));
        OperandChecks.Holds(output, (long)lq * dim, type, op, nameof(output));
        if (bias is not null)
        {
            OperandChecks.Holds(bias, (long)heads * lq * lk, type, op, nameof(bias));
        }
        if (lq == 0)
        {
            return;
        }
        ulong pq = q.Address, pk = k.Address, pv = v.Address, pb = bias?.Address ?? 0, po = output.Address;
        if (type == ElementType.F32)
        {
            void** args = stackalloc void*[] { &pq, &pk, &pv, &pb, &po, &lq, &lk, &validKeys, &dim, &headDim, &scale };
            device.Launch("attention_f32", new Dim3((lq + F32Rows - 1) / F32Rows, heads), new Dim3(Threads), 0, args);
        }
        else
        {
            void** args = stackalloc void*[] { &pq, &pk, &pv, &pb, &po, &lq, &lk, &validKeys, &dim, &scale };
            device.Launch($"flash_attention_{type.KernelSuffix()}_d{headDim}", new Dim3((lq + TensorCoreRows - 1) / TensorCoreRows, heads),
                new Dim3(Threads), TensorCoreSharedBytes(headDim), args);
        }
    }
}
