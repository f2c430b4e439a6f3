using System.Runtime.InteropServices;
using Wan.Kernels.Ops;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends.Cuda;

/// <summary>
/// The umT5 text-encoder family on CUDA: the embedding gather (gather.cu), the per-layer relative-position
/// bias and the fp16 residual clamp (text.cu). RMSNorm (norm.cu, fp32 statistics, no mean subtraction),
/// the biased attention (attention.cu) and the gated-GELU FFN (GEMMs, elementwise.cu) are the common ops.
/// Checked against every `t5` golden on the emulated device in fp32, bf16 and fp16 storage.
/// </summary>
public sealed partial class CudaBackend : ITextEncoderOps
{
    /// <summary>
    /// Rows of table [V, D] (on this device, in the storage type) for the given ids → [ids.Length, D] in the storage
    /// type, bit copies (kernels/cuda/gather.cu): the ids are checked on the host, then uploaded as int32 into a
    /// transient 4·ids.Length-byte buffer, and one grid-stride launch gathers. The umT5 token embedding
    /// (<c>Umt5Encoder.Embed</c>; reference wan/modules/t5.py, <c>T5Encoder.token_embedding</c>).
    /// </summary>
    /// <exception cref="ArgumentException">the table is not 2-D.</exception>
    /// <exception cref="ArgumentOutOfRangeException">an id lies outside [0, V): the message names the id and V; nothing
    /// has reached the device then.</exception>
    public Tensor Embedding(Tensor table, ReadOnlySpan<int> ids)
    {
        var t = Cuda(table);
        if (t.Shape.Rank != 2)
        {
            throw new ArgumentException($"embedding: table must be [vocab, dim], got {table.Shape}");
        }
        int vocab = t.Shape[0], dim = t.Shape[1];
        foreach (var id in ids)
        {
            if ((uint)id >= (uint)vocab)
            {
                throw new ArgumentOutOfRangeException(nameof(ids), $"token id {id} outside the vocabulary of {vocab}");
            }
        }
        var y = Allocate(new Shape(ids.Length, dim));
        using var deviceIds = Device.Allocate(4L * ids.Length);
        Device.CopyToDevice(MemoryMarshal.AsBytes(ids), deviceIds);
        GatherOps.GatherRows(Device, Element, t.Buffer, vocab, deviceIds, y.Buffer, ids.Length, dim);
        return y;
    }

    /// <summary>
    /// One gather kernel (text.cu <c>t5_position_bias_*</c>) from the layer's table [buckets, heads] in the storage
    /// type; the offset buckets (checked on the host) are copied to device memory first.
    /// </summary>
    /// <inheritdoc cref="ITextEncoderOps.RelativePositionBias"/>
    public Tensor RelativePositionBias(Tensor table, ReadOnlySpan<int> offsetBuckets, int queries, int keys)
    {
        var (buckets, heads) = TextChecks.PositionBias(table, offsetBuckets, queries, keys);
        var y = Allocate(new Shape(heads, queries, keys));
        using var deviceBuckets = Device.Allocate(4L * offsetBuckets.Length);
        Device.CopyToDevice(MemoryMarshal.AsBytes(offsetBuckets), deviceBuckets);
        TextOps.PositionBias(Device, Element, Cuda(table).Buffer, buckets, deviceBuckets, y.Buffer, heads, queries, keys);
        return y;
    }

    /// <summary>
    /// fp16: text.cu's add-and-count kernel then its conditional clamp (the any-Inf flag stays on the device);
    /// fp32 and bf16: the plain residual add (elementwise.cu).
    /// </summary>
    /// <inheritdoc cref="ITextEncoderOps.ResidualAddInPlace"/>
    public void ResidualAddInPlace(Tensor x, Tensor y)
    {
        if (Element != ElementType.F16)
        {
            AddInPlace(x, y);
            return;
        }
        OpChecks.SameShape(x, y, "residual add_");
        TextOps.ResidualAddClampF16(Device, Cuda(x).Buffer, Cuda(y).Buffer, x.ElementCount);
    }
}
