using Wan.Kernels.Device;

namespace Wan.Kernels.Ops;

/// <summary>
/// Launcher of kernels/cuda/vae_attention.cu: the row softmax between the two GEMMs of the VAE
/// mid-block attention's path for head widths without a fused kernel.
/// </summary>
public static unsafe class VaeAttentionOps
{
    private const int MaxThreads = 256;

    /// <summary>
    /// p [rows, lk] (storage <paramref name="type"/>) = softmax of each row of the fp32 logits s [rows, lk],
    /// max-subtracted, fp32 sums; one block per row.
    /// </summary>
    /// <exception cref="ArgumentException">a buffer is too small or s and p overlap.</exception>
    /// <exception cref="ArgumentOutOfRangeException">rows is negative or lk not positive.</exception>
    public static void SoftmaxRows(IDevice device, ElementType type, DeviceBuffer s, DeviceBuffer p, int rows, int lk)
    {
        const string op = "vae_softmax_rows";
        OperandChecks.NonNegative(rows, op, nameof(rows));
        OperandChecks.Positive(lk, op, nameof(lk));
        long count = (long)rows * lk;
        OperandChecks.Holds(s, count, ElementType.F32, op, nameof(s));
        OperandChecks.Holds(p, count, type, op, nameof(p));
        OperandChecks.Disjoint(s, 0, count * 4, p, 0, count * type.Size(), op, nameof(s), nameof(p));
        if (rows == 0)
        {
            return;
        }
        ulong ps = s.Address, pp = p.Address;
        void** args = stackalloc void*[] { &ps, &pp, &rows, &lk };
        device.Launch($"{op}_{type.KernelSuffix()}", new Dim3(rows), new Dim3(Math.Min(MaxThreads, (lk + 31) / 32 * 32)), 0, args);
    }
}
