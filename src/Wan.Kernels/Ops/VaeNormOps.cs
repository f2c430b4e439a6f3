using Wan.Kernels.Device;

namespace Wan.Kernels.Ops;

/// <summary>
/// Launchers of kernels/cuda/vae_norm.cu: per-channel ops over x [c, n] (c channels, n positions),
/// fp32 math on fp32/bf16/fp16 storage. y may alias x; the per-channel vectors must not overlap y.
/// </summary>
public static unsafe class VaeNormOps
{
    /// <summary>
    /// y[ch, p] = x[ch, p] / max(‖x[:, p]‖₂, 1e-12) · √c · gamma[ch], then SiLU when <paramref name="silu"/>
    /// (the VAE's RMS_norm, wan/modules/vae2_1.py, fused with the SiLU after it).
    /// </summary>
    /// <exception cref="ArgumentException">a buffer is too small or gamma overlaps y.</exception>
    public static void ChannelRmsNorm(IDevice device, ElementType type, DeviceBuffer x, DeviceBuffer gamma, DeviceBuffer y, int c, long n, bool silu)
    {
        const string op = "vae_channel_rms_norm";
        long count = CheckChannels(op, type, x, y, c, n);
        Vector(op, type, gamma, y, c, count, nameof(gamma));
        if (count == 0)
        {
            return;
        }
        ulong px = x.Address, pg = gamma.Address, py = y.Address;
        int fused = silu ? 1 : 0;
        void** args = stackalloc void*[] { &px, &pg, &py, &c, &n, &fused };
        device.Launch($"{op}_{type.KernelSuffix()}", VaeGrid.Of(n), GridStride.Block, 0, args);
    }

    /// <summary>y[ch, p] = x[ch, p] · scale[ch] + shift[ch].</summary>
    /// <exception cref="ArgumentException">a buffer is too small or scale/shift overlaps y.</exception>
    public static void ChannelAffine(IDevice device, ElementType type, DeviceBuffer x, DeviceBuffer scale, DeviceBuffer shift, DeviceBuffer y, int c, long n)
    {
        const string op = "vae_channel_affine";
        long count = CheckChannels(op, type, x, y, c, n);
        Vector(op, type, scale, y, c, count, nameof(scale));
        Vector(op, type, shift, y, c, count, nameof(shift));
        if (count == 0)
        {
            return;
        }
        ulong px = x.Address, pa = scale.Address, pb = shift.Address, py = y.Address;
        void** args = stackalloc void*[] { &px, &pa, &pb, &py, &c, &n };
        device.Launch($"{op}_{type.KernelSuffix()}", VaeGrid.Of(count), GridStride.Block, 0, args);
    }

    private static long CheckChannels(string op, ElementType type, DeviceBuffer x, DeviceBuffer y, int c, long n)
    {
        OperandChecks.Positive(c, op, nameof(c));
        OperandChecks.NonNegative(n, op, nameof(n));
        long count = checked(c * n);
        OperandChecks.Holds(x, count, type, op, nameof(x));
        OperandChecks.Holds(y, count, type, op, nameof(y));
        return count;
    }

    private static void Vector(string op, ElementType type, DeviceBuffer v, DeviceBuffer y, int c, long count, string name)
    {
        OperandChecks.Holds(v, c, type, op, name);
        OperandChecks.Disjoint(v, 0, c * type.Size(), y, 0, count * type.Size(), op, name, nameof(y));
    }
}
