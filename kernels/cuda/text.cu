// umT5 text-encoder kernels (Umt5Encoder on the CUDA backend; reference wan/modules/t5.py and
// transformers models/umt5/modeling_umt5.py). The rest of the encoder runs on the shared kernels
// (gather.cu embedding, norm.cu RMSNorm, attention.cu with an additive bias, elementwise.cu GELU/mul).
//   t5_position_bias_16bit / _32bit(table, buckets, out, heads, lq, lk):
//     out[h, i, j] = table[buckets[j − i + lq − 1], h]   (bit copies of any 2-/4-byte storage type)
//     table [num_buckets, heads] (one umT5 layer's relative_attention_bias), buckets int32 [lq + lk − 1]
//     (the bucket of each offset key − query, computed once per sequence length on the host and checked
//     there to lie in [0, num_buckets)), out [heads, lq, lk]: the attention kernel's additive bias.
//   t5_residual_add_f16(x, y, n, inf_count): x[i] = fp16(float(x[i]) + float(y[i])); *inf_count += the
//     number of sums that are ±Inf in fp16 (the caller zeroes the 4-byte counter before the launch).
//   t5_clamp_f16(x, n, inf_count): when *inf_count != 0, x[i] = clamp(x[i], −c, c) with
//     c = 65504 − 1000 (NaN stays NaN); else nothing. Together the two are the fp16 rule of the
//     reference after each residual add: Wan's fp16_clamp and transformers' T5Block/UMT5Block
//     ("clamp inf values to enable fp16 training"): if any value of the hidden states is inf, clamp
//     all of them to ±(finfo(fp16).max − 1000). The flag stays on the device: no host round trip.
// Mapping: 1-D grid-stride loops, any grid and 1-D block. x and y may alias (each element is read
// and written by one thread).
#include "common.cuh"

#define WAN_GRID_STRIDE(i, n) \
    for (long long i = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x; i < (n); i += static_cast<long long>(gridDim.x) * blockDim.x)

template <class T>
__device__ __forceinline__ void position_bias_impl(const T* __restrict__ table, const int* __restrict__ buckets, T* __restrict__ out,
                                                   int heads, int lq, int lk)
{
    const long long plane = static_cast<long long>(lq) * lk;
    const long long total = plane * heads;
    WAN_GRID_STRIDE(e, total)
    {
        const int h = static_cast<int>(e / plane);
        const long long r = e % plane;
        const int i = static_cast<int>(r / lk), j = static_cast<int>(r % lk);
        out[e] = table[static_cast<long long>(buckets[j - i + lq - 1]) * heads + h];
    }
}

extern "C" __global__ void t5_position_bias_16bit(const unsigned short* table, const int* buckets, unsigned short* out, int heads, int lq, int lk)
{
    position_bias_impl(table, buckets, out, heads, lq, lk);
}

extern "C" __global__ void t5_position_bias_32bit(const unsigned* table, const int* buckets, unsigned* out, int heads, int lq, int lk)
{
    position_bias_impl(table, buckets, out, heads, lq, lk);
}

extern "C" __global__ void t5_residual_add_f16(wan_f16* x, const wan_f16* y, long long n, unsigned* inf_count)
{
    unsigned local = 0;
    WAN_GRID_STRIDE(i, n)
    {
        const wan_f16 sum = from_float<wan_f16>(to_float(x[i]) + to_float(y[i]));
        x[i] = sum;
        local += (sum.bits & 0x7FFFu) == 0x7C00u ? 1u : 0u; // ±Inf: exponent all ones, mantissa zero
    }
    if (local != 0)
    {
        atomicAdd(inf_count, local);
    }
}

extern "C" __global__ void t5_clamp_f16(wan_f16* x, long long n, const unsigned* inf_count)
{
    if (*inf_count == 0)
    {
        return;
    }
    const float limit = 65504.0f - 1000.0f; // finfo(float16).max − 1000, rounded to fp16 on the store (64512)
    WAN_GRID_STRIDE(i, n)
    {
        const float v = to_float(x[i]);
        // Comparisons, not fminf/fmaxf: those would turn NaN into the limit, torch.clamp keeps it.
        x[i] = from_float<wan_f16>(v > limit ? limit : (v < -limit ? -limit : v));
    }
}

WAN_REGISTER_KERNEL(t5_position_bias_16bit);
WAN_REGISTER_KERNEL(t5_position_bias_32bit);
WAN_REGISTER_KERNEL(t5_residual_add_f16);
WAN_REGISTER_KERNEL(t5_clamp_f16);
