// Layout kernels of the Wan VAE (videos and feature maps [C, F, H, W], row-major), bit copies of any
// 2-/4-byte storage type (the suffix is the width):
//   vae_frame_copy_B(src, dst, channels, frames, plane, src_offset, src_channel_stride, src_frame_stride,
//                    dst_offset, dst_channel_stride, dst_frame_stride):
//     for ch < channels, t < frames, p < plane:
//     dst[dst_offset + ch·dst_channel_stride + t·dst_frame_stride + p] = src[src_offset + ch·src_channel_stride + t·src_frame_stride + p]
//     (offsets and strides in elements): frame slices, frame concatenation (one launch per operand) and the
//     temporal upsampler's channel-half interleave (frame 2t + half) are all this copy; src and dst must not overlap.
//   vae_upsample_nearest2x_B(x, y, planes, h, w): x [planes, h, w] → y [planes, 2h, 2w], y[p, i, j] = x[p, i/2, j/2].
//   vae_transpose_B(src, dst, rows, cols): src [rows, cols] → dst [cols, rows] (pixels ↔ rows around the
//     mid-block attention; a plain gather: that attention runs once per frame at the lowest resolution).
// Mapping: 1-D grid-stride loop over the destination elements, any grid and 1-D block; writes are
// coalesced, reads strided where the layout changes.
#include "common.cuh"

#define WAN_GRID_STRIDE(i, n) \
    for (long long i = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x; i < (n); i += static_cast<long long>(gridDim.x) * blockDim.x)

template <class T>
__device__ __forceinline__ void frame_copy_impl(const T* __restrict__ src, T* __restrict__ dst, int channels, int frames, long long plane,
    long long src_offset, long long src_channel_stride, long long src_frame_stride,
    long long dst_offset, long long dst_channel_stride, long long dst_frame_stride)
{
    const long long per_channel = static_cast<long long>(frames) * plane;
    const long long total = static_cast<long long>(channels) * per_channel;
    WAN_GRID_STRIDE(i, total)
    {
        const long long ch = i / per_channel;
        const long long t = (i % per_channel) / plane;
        const long long p = i % plane;
        dst[dst_offset + ch * dst_channel_stride + t * dst_frame_stride + p] = src[src_offset + ch * src_channel_stride + t * src_frame_stride + p];
    }
}

template <class T>
__device__ __forceinline__ void upsample_nearest2x_impl(const T* __restrict__ x, T* __restrict__ y, long long planes, int h, int w)
{
    const long long w2 = 2LL * w, per_plane = 4LL * h * w;
    const long long total = planes * per_plane;
    WAN_GRID_STRIDE(i, total)
    {
        const long long plane = i / per_plane;
        const long long r = (i % per_plane) / w2;
        const long long c = i % w2;
        y[i] = x[(plane * h + r / 2) * w + c / 2];
    }
}

template <class T>
__device__ __forceinline__ void transpose_impl(const T* __restrict__ src, T* __restrict__ dst, long long rows, long long cols)
{
    const long long total = rows * cols;
    WAN_GRID_STRIDE(i, total)
    {
        const long long c = i / rows, r = i % rows;
        dst[i] = src[r * cols + c];
    }
}

#define WAN_VAE_LAYOUT(T, suffix)                                                                                      \
    extern "C" __global__ void vae_frame_copy_##suffix(const T* src, T* dst, int channels, int frames, long long plane, \
        long long src_offset, long long src_channel_stride, long long src_frame_stride,                                \
        long long dst_offset, long long dst_channel_stride, long long dst_frame_stride)                                \
    {                                                                                                                  \
        frame_copy_impl<T>(src, dst, channels, frames, plane, src_offset, src_channel_stride, src_frame_stride,        \
            dst_offset, dst_channel_stride, dst_frame_stride);                                                         \
    }                                                                                                                  \
    extern "C" __global__ void vae_upsample_nearest2x_##suffix(const T* x, T* y, long long planes, int h, int w)      \
    {                                                                                                                  \
        upsample_nearest2x_impl<T>(x, y, planes, h, w);                                                                \
    }                                                                                                                  \
    extern "C" __global__ void vae_transpose_##suffix(const T* src, T* dst, long long rows, long long cols)            \
    {                                                                                                                  \
        transpose_impl<T>(src, dst, rows, cols);                                                                       \
    }                                                                                                                  \
    WAN_REGISTER_KERNEL(vae_frame_copy_##suffix);                                                                      \
    WAN_REGISTER_KERNEL(vae_upsample_nearest2x_##suffix);                                                              \
    WAN_REGISTER_KERNEL(vae_transpose_##suffix)

WAN_VAE_LAYOUT(unsigned short, 16bit);
WAN_VAE_LAYOUT(unsigned, 32bit);
