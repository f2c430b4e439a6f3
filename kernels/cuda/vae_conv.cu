// The data movement around the VAE's convolutions (Wan2.1 causal 3D VAE, wan/modules/vae2_1.py): the
// convolution itself is im2col + one cuBLAS GEMM per band of output rows (docs/engine.md, "VAE on CUDA").
// Bit copies of any 2-/4-byte storage type (the suffix is the width); zero padding is the all-zero bit
// pattern, +0.0 in fp32, bf16 and fp16 alike.
//   vae_im2col_B(x, cols, cin, f, h, w, kt, kh, kw, st, sh, sw, pad_front, pad_top, pad_left, ho, wo, row0, rows):
//     x [cin, f, h, w]; cols [K, rows·wo] with K = cin·kt·kh·kw, row kk = ((ci·kt + dt)·kh + dh)·kw + dw
//     (the order of the weight [cout, cin, kt, kh, kw], so the conv is weight [cout, K] · cols).
//     Column j = (R − row0)·wo + c covers flattened output row R = t·ho + r in [row0, row0 + rows)
//     (output frame t, output row r), output column c; it holds the input at frame t·st + dt − pad_front,
//     row r·sh + dh − pad_top, column c·sw + dw − pad_left, or 0 outside the input (bottom/right padding
//     is implicit: the caller sized ho, wo).
//   vae_channel_broadcast_B(v, y, c, n): y [c, n], y[ch, p] = v[ch] (a conv's bias before the GEMM adds
//     onto it with beta = 1; v must not overlap y).
// Mapping: 1-D grid-stride loop over the output elements, any grid and 1-D block; consecutive threads
// write consecutive elements (coalesced); im2col's reads are strided by sw.
#include "common.cuh"

#define WAN_GRID_STRIDE(i, n) \
    for (long long i = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x; i < (n); i += static_cast<long long>(gridDim.x) * blockDim.x)

template <class T>
__device__ __forceinline__ void im2col_impl(const T* __restrict__ x, T* __restrict__ cols, int cin, int f, int h, int w,
    int kt, int kh, int kw, int st, int sh, int sw, int pad_front, int pad_top, int pad_left, int ho, int wo, int row0, int rows)
{
    const long long n = static_cast<long long>(rows) * wo;
    const long long total = static_cast<long long>(cin) * kt * kh * kw * n;
    WAN_GRID_STRIDE(i, total)
    {
        const long long j = i % n;
        const int kk = static_cast<int>(i / n);
        const int dw = kk % kw, dh = (kk / kw) % kh, dt = (kk / (kw * kh)) % kt, ci = kk / (kw * kh * kt);
        const int row = row0 + static_cast<int>(j / wo), c = static_cast<int>(j % wo);
        const int fi = (row / ho) * st + dt - pad_front;
        const int hi = (row % ho) * sh + dh - pad_top;
        const int wi = c * sw + dw - pad_left;
        T v = 0;
        if (fi >= 0 && fi < f && hi >= 0 && hi < h && wi >= 0 && wi < w)
        {
            v = x[((static_cast<long long>(ci) * f + fi) * h + hi) * w + wi];
        }
        cols[i] = v;
    }
}

template <class T>
__device__ __forceinline__ void channel_broadcast_impl(const T* __restrict__ v, T* __restrict__ y, int c, long long n)
{
    const long long total = static_cast<long long>(c) * n;
    WAN_GRID_STRIDE(i, total) { y[i] = v[i / n]; }
}

#define WAN_VAE_CONV(T, suffix)                                                                                         \
    extern "C" __global__ void vae_im2col_##suffix(const T* x, T* cols, int cin, int f, int h, int w, int kt, int kh,    \
        int kw, int st, int sh, int sw, int pad_front, int pad_top, int pad_left, int ho, int wo, int row0, int rows)   \
    {                                                                                                                   \
        im2col_impl<T>(x, cols, cin, f, h, w, kt, kh, kw, st, sh, sw, pad_front, pad_top, pad_left, ho, wo, row0, rows); \
    }                                                                                                                   \
    extern "C" __global__ void vae_channel_broadcast_##suffix(const T* v, T* y, int c, long long n)                     \
    {                                                                                                                   \
        channel_broadcast_impl<T>(v, y, c, n);                                                                          \
    }                                                                                                                   \
    WAN_REGISTER_KERNEL(vae_im2col_##suffix);                                                                           \
    WAN_REGISTER_KERNEL(vae_channel_broadcast_##suffix)

WAN_VAE_CONV(unsigned short, 16bit);
WAN_VAE_CONV(unsigned, 32bit);
