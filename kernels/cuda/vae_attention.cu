// The softmax of the VAE mid-block attention's GEMM path (CudaBackend.VaeAttention.cs), for head widths
// the fused attention kernels do not take (Wan2.1's mid block attends over 384 channels in one head):
// S = scale·Q·Kᵀ and O = P·V are cuBLAS GEMMs, this kernel turns the logits into probabilities.
//   vae_softmax_rows_T(s, p, rows, lk): s [rows, lk] fp32 logits (already scaled) → p [rows, lk] in the
//     storage type (the next GEMM's operand): p[r, j] = exp(s[r, j] − max_r) / Σ_j exp(s[r, j] − max_r),
//     max and sum in fp32 (block-wide, deterministic order).
// Mapping: one block per row (grid.x = rows), a 1-D block of a multiple of 32 threads; thread t handles
// columns t, t + blockDim.x, ...
#include "common.cuh"

// Max over the block (blockDim.x a multiple of 32, 1-D blocks); every thread gets it.
__device__ __forceinline__ float block_max(float v)
{
    __shared__ float partial[32];
    int lane = threadIdx.x & 31;
    int warp = threadIdx.x >> 5;
    int warps = blockDim.x >> 5;
    for (int offset = 16; offset > 0; offset >>= 1)
    {
        v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, offset));
    }
    if (lane == 0)
    {
        partial[warp] = v;
    }
    __syncthreads();
    float m = partial[0];
    for (int w = 1; w < warps; w++)
    {
        m = fmaxf(m, partial[w]);
    }
    __syncthreads(); // partial[] is reused by the next call
    return m;
}

template <class T>
__device__ __forceinline__ void softmax_rows_impl(const float* __restrict__ s, T* __restrict__ p, int lk)
{
    const float* row = s + static_cast<long long>(blockIdx.x) * lk;
    T* out = p + static_cast<long long>(blockIdx.x) * lk;
    float m = __uint_as_float(0xff800000u); // -inf
    for (int c = threadIdx.x; c < lk; c += blockDim.x)
    {
        m = fmaxf(m, row[c]);
    }
    m = block_max(m);
    float sum = 0.0f;
    for (int c = threadIdx.x; c < lk; c += blockDim.x)
    {
        sum += expf(row[c] - m);
    }
    const float inv = 1.0f / block_sum(sum);
    for (int c = threadIdx.x; c < lk; c += blockDim.x)
    {
        out[c] = from_float<T>(expf(row[c] - m) * inv);
    }
}

#define WAN_VAE_SOFTMAX(T, suffix)                                                                 \
    extern "C" __global__ void vae_softmax_rows_##suffix(const float* s, T* p, int rows, int lk)    \
    {                                                                                              \
        if (static_cast<int>(blockIdx.x) < rows) softmax_rows_impl<T>(s, p, lk);                   \
    }                                                                                              \
    WAN_REGISTER_KERNEL(vae_softmax_rows_##suffix)

WAN_VAE_SOFTMAX(float, f32);
WAN_VAE_SOFTMAX(wan_bf16, bf16);
WAN_VAE_SOFTMAX(wan_f16, f16);
