using Wan.Kernels.Device;
using Wan.Kernels.Ops;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Backends.Cuda;

public sealed partial class CudaBackend
{
    /// <summary>
    /// Single-head softmax attention of q [Lq, C] over k, v [Lk, C] (the VAE mid block, original
    /// <c>AttentionBlock</c>, wan/modules/vae2_1.py): the fused attention kernel when it takes width C
    /// (<see cref="SupportsAttention"/>), else per band of query rows two GEMMs around a row softmax
    /// (S = scale·Q·Kᵀ in fp32, P in the storage type, O = P·V; kernels/cuda/vae_attention.cu), the band
    /// sized so S and P stay within <see cref="ConvColumnBytes"/>. Wan2.1's mid block is 384 wide: wider
    /// than the fused kernels.
    /// </summary>
    /// <exception cref="ArgumentException">q, k, v are not [L, C] of one width, or k and v differ.</exception>
    public Tensor SingleHeadAttention(Tensor q, Tensor k, Tensor v, float scale)
    {
        var (lq, lk, c) = VaeChecks.SingleHeadAttention(q, k, v);
        if (AttentionOps.Supports(Element, c))
        {
            return Attention(q, k, v, new AttentionSpec(Heads: 1, Scale: scale, ValidKeys: lk));
        }
        int size = Storage.SizeOf();
        int band = (int)Math.Clamp(ConvColumnBytes / checked((long)lk * (sizeof(float) + size)), 1, lq);
        var y = Allocate(new Shape(lq, c));
        try
        {
            using var logits = AllocateBytes(checked((long)band * lk * sizeof(float)));
            using var probabilities = AllocateBytes(checked((long)band * lk * size));
            ulong qa = Cuda(q).Buffer.Address, ka = Cuda(k).Buffer.Address, va = Cuda(v).Buffer.Address;
            for (int r0 = 0; r0 < lq; r0 += band)
            {
                int rows = Math.Min(band, lq - r0);
                ulong rowOffset = (ulong)((long)r0 * c * size);
                Device.Gemm(new GemmDesc(
                    TransA: false, TransB: true, M: rows, N: lk, K: c, Alpha: scale,
                    A: qa + rowOffset, Lda: c, StrideA: 0,
                    B: ka, Ldb: c, StrideB: 0,
                    Beta: 0f,
                    C: logits.Address, Ldc: lk, StrideC: 0,
                    BatchCount: 1, InputType: GemmStorage, OutputType: GemmType.F32));
                VaeAttentionOps.SoftmaxRows(Device, Element, logits, probabilities, rows, lk);
                Device.Gemm(new GemmDesc(
                    TransA: false, TransB: false, M: rows, N: c, K: lk, Alpha: 1f,
                    A: probabilities.Address, Lda: lk, StrideA: 0,
                    B: va, Ldb: c, StrideB: 0,
                    Beta: 0f,
                    C: y.Buffer.Address + rowOffset, Ldc: c, StrideC: 0,
                    BatchCount: 1, InputType: GemmStorage, OutputType: GemmStorage));
            }
            return y;
        }
        catch
        {
            y.Dispose();
            throw;
        }
    }
}
