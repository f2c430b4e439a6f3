// Row normalizations over the last dim of x [rows, d], fp32 statistics (two passes: mean, then the
// centred variance) on fp32/bf16/fp16 storage (the suffix); weight/bias/shift/scale are [d]:
//   rms_norm_T(x, w, y, rows, d, eps):            y = x · rsqrt(mean(x²) + eps) · w
//   layer_norm_T(x, w, b, y, rows, d, eps):       y = (x − mean) · rsqrt(var + eps) [· w] [+ b]
//                                                 (w, b may be null: no affine part)
//   modulated_layer_norm_T(x, shift, scale, y, rows, d, eps): y = LN(x) · (1 + scale) + shift (adaLN)
// y may alias x: after the statistics (behind block barriers) every thread reads and writes only its
// own columns. Mapping: one block per row (grid.x = rows), 1-D block of a multiple of
// 32 threads; thread t handles columns t, t + blockDim.x, ...
#include "common.cuh"
#include "row_stats.cuh"

template <class T>
__device__ __forceinline__ void rms_norm_impl(const T* x, const T* __restrict__ w, T* y, int d, float eps)
{
    const T* row = x + static_cast<long long>(blockIdx.x) * d;
    T* out = y + static_cast<long long>(blockIdx.x) * d;
    float s = 0.0f;
    for (int c = threadIdx.x; c < d; c += blockDim.x)
    {
        float v = to_float(row[c]);
        s += v * v;
    }
    float inv = rsqrtf(block_sum(s) / static_cast<float>(d) + eps);
    for (int c = threadIdx.x; c < d; c += blockDim.x)
    {
        out[c] = from_float<T>(to_float(row[c]) * inv * to_float(w[c]));
    }
}

template <class T>
__device__ __forceinline__ void layer_norm_impl(const T* x, const T* __restrict__ w, const T* __restrict__ b, T* y, int d, float eps)
{
    const T* row = x + static_cast<long long>(blockIdx.x) * d;
    T* out = y + static_cast<long long>(blockIdx.x) * d;
    float mean = row_mean(row, d);
    float inv = row_inv_std(row, d, mean, eps);
    for (int c = threadIdx.x; c < d; c += blockDim.x)
    {
        float v = (to_float(row[c]) - mean) * inv;
        if (w != nullptr)
        {
            v *= to_float(w[c]);
        }
        if (b != nullptr)
        {
            v += to_float(b[c]);
        }
        out[c] = from_float<T>(v);
    }
}

template <class T>
__device__ __forceinline__ void modulated_layer_norm_impl(const T* x, const T* __restrict__ shift, const T* __restrict__ scale, T* y, int d, float eps)
{
    const T* row = x + static_cast<long long>(blockIdx.x) * d;
    T* out = y + static_cast<long long>(blockIdx.x) * d;
    float mean = row_mean(row, d);
    float inv = row_inv_std(row, d, mean, eps);
    for (int c = threadIdx.x; c < d; c += blockDim.x)
    {
        float v = (to_float(row[c]) - mean) * inv;
        out[c] = from_float<T>(fmaf(v, 1.0f + to_float(scale[c]), to_float(shift[c])));
    }
}

#define WAN_NORMS(T, suffix)                                                                                          \
    extern "C" __global__ void rms_norm_##suffix(const T* x, const T* w, T* y, int rows, int d, float eps)              \
    {                                                                                                                 \
        if (static_cast<int>(blockIdx.x) < rows) rms_norm_impl<T>(x, w, y, d, eps);                                                                            \
    }                                                                                                                 \
    extern "C" __global__ void layer_norm_##suffix(const T* x, const T* w, const T* b, T* y, int rows, int d, float eps) \
    {                                                                                                                 \
        if (static_cast<int>(blockIdx.x) < rows) layer_norm_impl<T>(x, w, b, y, d, eps);                                                                       \
    }                                                                                                                 \
    extern "C" __global__ void modulated_layer_norm_##suffix(const T* x, const T* shift, const T* scale, T* y, int rows, int d, float eps) \
    {                                                                                                                 \
        if (static_cast<int>(blockIdx.x) < rows) modulated_layer_norm_impl<T>(x, shift, scale, y, d, eps);                                                     \
    }                                                                                                                 \
    WAN_REGISTER_KERNEL(rms_norm_##suffix);                                                                           \
    WAN_REGISTER_KERNEL(layer_norm_##suffix);                                                                         \
    WAN_REGISTER_KERNEL(modulated_layer_norm_##suffix)

WAN_NORMS(float, f32);
WAN_NORMS(wan_bf16, bf16);
WAN_NORMS(wan_f16, f16);
