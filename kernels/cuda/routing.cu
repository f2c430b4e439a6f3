// Expert routing of a batch of samples (one sample = one latent, or the rows of its tokens):
//   scatter_rows_16bit / scatter_rows_32bit(src, ids, dst, count, d):
//     dst[ids[i], c] = src[i, c] for i < count, c < d — the inverse of gather_rows (gather.cu); bit
//     copies of any 2-/4-byte type. The caller checks that the ids are distinct and inside dst.
//   modulated_layer_norm_per_sample_T(x, shift, scale, y, rows, rows_per_sample, d, eps):
//     adaLN with each sample's own modulation: row r belongs to sample s = r / rows_per_sample and
//     y[r] = LN(x[r]) · (1 + scale[s]) + shift[s]; shift and scale are [samples, d]. The statistics are
//     row_stats.cuh's, so a sample's rows equal modulated_layer_norm_T's (norm.cu) on that sample alone.
//   gated_add_per_sample_T(x, y, gate, n, rows_per_sample, d):
//     x[i] += gate[s, i % d] · y[i] with s = (i / d) / rows_per_sample (per-sample gated residual).
// Mapping: the copies and the gated add are 1-D grid-stride loops (column fastest); the LayerNorm is one
// block per row (grid.x = rows), a multiple of 32 threads striding over the columns; y may alias x.
#include "common.cuh"
#include "row_stats.cuh"

#define WAN_ROUTING_GRID_STRIDE(i, n) \
    for (long long i = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x; i < (n); i += static_cast<long long>(gridDim.x) * blockDim.x)

template <class T>
__device__ __forceinline__ void scatter_rows_impl(const T* __restrict__ src, const int* __restrict__ ids, T* __restrict__ dst, int count, int d)
{
    long long total = static_cast<long long>(count) * d;
    WAN_ROUTING_GRID_STRIDE(i, total)
    {
        long long row = i / d;
        dst[static_cast<long long>(ids[row]) * d + i % d] = src[i];
    }
}

extern "C" __global__ void scatter_rows_16bit(const unsigned short* src, const int* ids, unsigned short* dst, int count, int d)
{
    scatter_rows_impl(src, ids, dst, count, d);
}

extern "C" __global__ void scatter_rows_32bit(const unsigned* src, const int* ids, unsigned* dst, int count, int d)
{
    scatter_rows_impl(src, ids, dst, count, d);
}

template <class T>
__device__ __forceinline__ void modulated_layer_norm_per_sample_impl(const T* x, const T* __restrict__ shift, const T* __restrict__ scale, T* y,
    int rows_per_sample, int d, float eps)
{
    const T* row = x + static_cast<long long>(blockIdx.x) * d;
    T* out = y + static_cast<long long>(blockIdx.x) * d;
    long long sample = static_cast<long long>(blockIdx.x / rows_per_sample) * d;
    float mean = row_mean(row, d);
    float inv = row_inv_std(row, d, mean, eps);
    for (int c = threadIdx.x; c < d; c += blockDim.x)
    {
        float v = (to_float(row[c]) - mean) * inv;
        out[c] = from_float<T>(fmaf(v, 1.0f + to_float(scale[sample + c]), to_float(shift[sample + c])));
    }
}

template <class T>
__device__ __forceinline__ void gated_add_per_sample_impl(T* x, const T* y, const T* __restrict__ gate, long long n, int rows_per_sample, int d)
{
    long long sample_elements = static_cast<long long>(rows_per_sample) * d;
    WAN_ROUTING_GRID_STRIDE(i, n)
    {
        long long g = (i / sample_elements) * d + i % d;
        x[i] = from_float<T>(fmaf(to_float(gate[g]), to_float(y[i]), to_float(x[i])));
    }
}

#define WAN_ROUTING(T, suffix)                                                                                                              \
    extern "C" __global__ void modulated_layer_norm_per_sample_##suffix(const T* x, const T* shift, const T* scale, T* y, int rows,          \
        int rows_per_sample, int d, float eps)                                                                                             \
    {                                                                                                                                       \
        if (static_cast<int>(blockIdx.x) < rows) modulated_layer_norm_per_sample_impl<T>(x, shift, scale, y, rows_per_sample, d, eps);      \
    }                                                                                                                                       \
    extern "C" __global__ void gated_add_per_sample_##suffix(T* x, const T* y, const T* gate, long long n, int rows_per_sample, int d)      \
    {                                                                                                                                       \
        gated_add_per_sample_impl<T>(x, y, gate, n, rows_per_sample, d);                                                                   \
    }                                                                                                                                       \
    WAN_REGISTER_KERNEL(modulated_layer_norm_per_sample_##suffix);                                                                          \
    WAN_REGISTER_KERNEL(gated_add_per_sample_##suffix)

WAN_ROUTING(float, f32);
WAN_ROUTING(wan_bf16, bf16);
WAN_ROUTING(wan_f16, f16);

WAN_REGISTER_KERNEL(scatter_rows_16bit);
WAN_REGISTER_KERNEL(scatter_rows_32bit);
