// 3D rotary embedding, adjacent-pair layout: x, y [tokens, heads·2·pairs] (head_dim = 2·pairs),
// cos, sin fp32 [≥ tokens, pairs]. For token i, head h, pair j with a = x[i, h, 2j], b = x[i, h, 2j+1]:
//   y[i, h, 2j] = a·cos[i, j] − b·sin[i, j],   y[i, h, 2j+1] = a·sin[i, j] + b·cos[i, j]
// Storage fp32/bf16/fp16 (the suffix), math fp32; y may alias x (each pair is read, then written
// by the same thread). Mapping: 1-D grid-stride loop over the tokens·heads·pairs pairs, pair fastest.
#include "common.cuh"

template <class T>
__device__ __forceinline__ void rope_impl(const T* x, T* y, const float* __restrict__ cos_table, const float* __restrict__ sin_table,
                                          int tokens, int heads, int pairs)
{
    long long total = static_cast<long long>(tokens) * heads * pairs;
    for (long long p = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x; p < total; p += static_cast<long long>(gridDim.x) * blockDim.x)
    {
        long long token = p / (static_cast<long long>(heads) * pairs);
        int j = static_cast<int>(p % pairs);
        float c = cos_table[token * pairs + j];
        float s = sin_table[token * pairs + j];
        float a = to_float(x[2 * p]);
        float b = to_float(x[2 * p + 1]);
        y[2 * p] = from_float<T>(a * c - b * s);
        y[2 * p + 1] = from_float<T>(a * s + b * c);
    }
}

#define WAN_ROPE(T, suffix)                                                                                                     \
    extern "C" __global__ void rope_##suffix(const T* x, T* y, const float* cos_table, const float* sin_table, int tokens, int heads, int pairs) \
    {                                                                                                                           \
        rope_impl<T>(x, y, cos_table, sin_table, tokens, heads, pairs);                                                         \
    }                                                                                                                           \
    WAN_REGISTER_KERNEL(rope_##suffix)

WAN_ROPE(float, f32);
WAN_ROPE(wan_bf16, bf16);
WAN_ROPE(wan_f16, f16);
