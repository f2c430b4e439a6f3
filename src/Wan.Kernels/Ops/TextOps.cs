using Wan.Kernels.Device;

namespace Wan.Kernels.Ops;

/// <summary>
/// Launchers of kernels/cuda/text.cu, the umT5 text encoder's own kernels: the per-layer relative-position
/// bias and the fp16 residual add with the reference T5 overflow clamp.
/// </summary>
public static unsafe class TextOps
{
    /// <summary>fp16 clamp limit of the reference: <c>torch.finfo(torch.float16).max − 1000</c> (stored as 64512 in fp16).</summary>
    public const float Fp16ClampLimit = 65504f - 1000f;

    /// <summary>
    /// bias[h, i, j] = table[buckets[j − i + lq − 1], h] → output [heads, lq, lk] in the storage type (bit copies):
    /// the additive attention bias of one umT5 layer (wan/modules/t5.py, <c>T5RelativeEmbedding.forward</c>).
    /// </summary>
    /// <param name="device">where the kernel runs.</param>
    /// <param name="type">storage type of table and output.</param>
    /// <param name="table">[numBuckets, heads], the layer's <c>relative_attention_bias</c>.</param>
    /// <param name="numBuckets">rows of the table.</param>
    /// <param name="buckets">int32 [lq + lk − 1]: the bucket of each offset key − query; every one must lie in
    /// [0, numBuckets) (the kernel does not check; the caller computes them on the host).</param>
    /// <param name="output">[heads, lq, lk].</param>
    /// <param name="heads">attention heads.</param>
    /// <param name="lq">queries.</param>
    /// <param name="lk">keys.</param>
    /// <exception cref="ArgumentException">a buffer is too small, or output overlaps the table or the buckets.</exception>
    /// <exception cref="ArgumentOutOfRangeException">a size is not positive.</exception>
    public static void PositionBias(IDevice device, ElementType type, DeviceBuffer table, int numBuckets, DeviceBuffer buckets,
        DeviceBuffer output, int heads, int lq, int lk)
    {
        const string op = "t5_position_bias";
        ArgumentNullException.ThrowIfNull(device);
        OperandChecks.Positive(numBuckets, op, nameof(numBuckets));
        OperandChecks.Positive(heads, op, nameof(heads));
        OperandChecks.Positive(lq, op, nameof(lq));
        OperandChecks.Positive(lk, op, nameof(lk));
        long offsets = (long)lq + lk - 1;
        long outputElements = checked((long)heads * lq * lk);
        OperandChecks.Holds(table, (long)numBuckets * heads, type, op, nameof(table));
        OperandChecks.HoldsBytes(buckets, 4 * offsets, op, nameof(buckets));
        OperandChecks.Holds(output, outputElements, type, op, nameof(output));
        OperandChecks.Disjoint(table, 0, (long)numBuckets * heads * type.Size(), output, 0, outputElements * type.Size(), op, nameof(table), nameof(output));
        OperandChecks.Disjoint(buckets, 0, 4 * offsets, output, 0, outputElements * type.Size(), op, nameof(buckets), nameof(output));
        ulong pt = table.Address, pb = buckets.Address, po = output.Address;
        void** args = stackalloc void*[] { &pt, &pb, &po, &heads, &lq, &lk };
        device.Launch(type.Size() == 2 ? "t5_position_bias_16bit" : "t5_position_bias_32bit", GridStride.Grid(outputElements), GridStride.Block, 0, args);
    }

    /// <summary>
    /// x += y over <paramref name="count"/> fp16 elements, then, when any sum is ±Inf, every element of x clamped
    /// to ±<see cref="Fp16ClampLimit"/>: the hidden-state rule of the reference after each residual add in fp16
    /// (wan/modules/t5.py <c>fp16_clamp</c>; transformers <c>T5Block</c>/<c>UMT5Block</c> forward). Two launches
    /// (the add counts infinities into a 4-byte device counter, the clamp reads it on the device) and one 4-byte
    /// memset; nothing returns to the host. x and y may alias.
    /// </summary>
    /// <exception cref="ArgumentException">a buffer holds fewer than <paramref name="count"/> fp16 elements.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    public static void ResidualAddClampF16(IDevice device, DeviceBuffer x, DeviceBuffer y, long count)
    {
        const string op = "t5_residual_add_f16";
        ArgumentNullException.ThrowIfNull(device);
        OperandChecks.NonNegative(count, op, nameof(count));
        OperandChecks.Holds(x, count, ElementType.F16, op, nameof(x));
        OperandChecks.Holds(y, count, ElementType.F16, op, nameof(y));
        if (count == 0)
        {
            return;
        }
        using var infinities = device.Allocate(sizeof(uint));
        device.Memset(infinities, 0);
        ulong px = x.Address, py = y.Address, pc = infinities.Address;
        void** addArgs = stackalloc void*[] { &px, &py, &count, &pc };
        device.Launch(op, GridStride.Grid(count), GridStride.Block, 0, addArgs);
        void** clampArgs = stackalloc void*[] { &px, &count, &pc };
        device.Launch("t5_clamp_f16", GridStride.Grid(count), GridStride.Block, 0, clampArgs);
    }
}
