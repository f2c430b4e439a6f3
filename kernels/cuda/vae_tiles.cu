// Spatial tiling of the VAE decode (Models/Vae/VaeTiling.cs): cutting overlapping latent windows and
// blending the decoded tiles with linear seams. Videos are [planes = C·F, H, W] row-major.
//   vae_window_copy_B(src, dst, planes, src_h, src_w, top, left, h, w):
//     dst [planes, h, w] = src [planes, src_h, src_w] rows [top, top + h), columns [left, left + w)
//     (bit copy of any 2-/4-byte storage type: the suffix is the width; no overlap).
//   vae_accumulate_tile_T(tile, row_weight, column_weight, out, planes, h, w, out_h, out_w, top, left):
//     out[p, top + i, left + j] += tile[p, i, j] · row_weight[i] · column_weight[j]  (weights fp32 [h], [w];
//     fp32 math, one rounding to the storage type per tile; tiles are accumulated one launch after another,
//     so each output element is read and written by one thread per launch; tile must not overlap out).
// Mapping: 1-D grid-stride loops over the destination / tile elements, any grid and 1-D block.
#include "common.cuh"

#define WAN_GRID_STRIDE(i, n) \
    for (long long i = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x; i < (n); i += static_cast<long long>(gridDim.x) * blockDim.x)

template <class T>
__device__ __forceinline__ void window_copy_impl(const T* __restrict__ src, T* __restrict__ dst, long long planes, int src_h, int src_w,
    int top, int left, int h, int w)
{
    const long long per_plane = static_cast<long long>(h) * w;
    const long long total = planes * per_plane;
    WAN_GRID_STRIDE(i, total)
    {
        const long long p = i / per_plane;
        const int r = static_cast<int>((i % per_plane) / w), c = static_cast<int>(i % w);
        dst[i] = src[(p * src_h + top + r) * src_w + left + c];
    }
}

template <class T>
__device__ __forceinline__ void accumulate_tile_impl(const T* __restrict__ tile, const float* __restrict__ row_weight,
    const float* __restrict__ column_weight, T* out, long long planes, int h, int w, int out_h, int out_w, int top, int left)
{
    const long long per_plane = static_cast<long long>(h) * w;
    const long long total = planes * per_plane;
    WAN_GRID_STRIDE(i, total)
    {
        const long long p = i / per_plane;
        const int r = static_cast<int>((i % per_plane) / w), c = static_cast<int>(i % w);
        T* target = out + (p * out_h + top + r) * out_w + left + c;
        *target = from_float<T>(fmaf(to_float(tile[i]), row_weight[r] * column_weight[c], to_float(*target)));
    }
}

#define WAN_WINDOW(T, suffix)                                                                                   \
    extern "C" __global__ void vae_window_copy_##suffix(const T* src, T* dst, long long planes, int src_h, int src_w, \
        int top, int left, int h, int w)                                                                        \
    {                                                                                                           \
        window_copy_impl<T>(src, dst, planes, src_h, src_w, top, left, h, w);                                    \
    }                                                                                                           \
    WAN_REGISTER_KERNEL(vae_window_copy_##suffix)

#define WAN_ACCUMULATE(T, suffix)                                                                               \
    extern "C" __global__ void vae_accumulate_tile_##suffix(const T* tile, const float* row_weight,              \
        const float* column_weight, T* out, long long planes, int h, int w, int out_h, int out_w, int top, int left) \
    {                                                                                                           \
        accumulate_tile_impl<T>(tile, row_weight, column_weight, out, planes, h, w, out_h, out_w, top, left);   \
    }                                                                                                           \
    WAN_REGISTER_KERNEL(vae_accumulate_tile_##suffix)

WAN_WINDOW(unsigned short, 16bit);
WAN_WINDOW(unsigned, 32bit);
WAN_ACCUMULATE(float, f32);
WAN_ACCUMULATE(wan_bf16, bf16);
WAN_ACCUMULATE(wan_f16, f16);
