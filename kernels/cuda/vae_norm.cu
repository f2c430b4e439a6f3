// Per-channel kernels of the Wan VAE over x [c, n] (c channels, n positions = F·H·W), fp32 math on
// fp32/bf16/fp16 storage (the suffix):
//   vae_channel_rms_norm_T(x, gamma, y, c, n, silu):
//     y[ch, p] = x[ch, p] / max(‖x[:, p]‖₂, 1e-12) · √c · gamma[ch], then y·sigmoid(y) when silu ≠ 0
//     (the VAE's RMS_norm = F.normalize(x, dim=1) · √C · gamma, fused with the SiLU that follows it in
//     every residual block and the head; wan/modules/vae2_1.py). y may alias x: a position's channels
//     are read and written by one thread.
//   vae_channel_affine_T(x, scale, shift, y, c, n): y[ch, p] = x[ch, p] · scale[ch] + shift[ch] (latent
//     (un)scaling; y may alias x, scale/shift must not overlap y).
// gamma, scale and shift hold c elements.
// Mapping: 1-D grid-stride loops, any grid and 1-D block. rms_norm: one thread per position p (the
// channel sum in fp32, in channel order, reading column p of every channel row: coalesced across the
// warp); affine: one thread per element.
#include "common.cuh"

#define WAN_GRID_STRIDE(i, n) \
    for (long long i = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x; i < (n); i += static_cast<long long>(gridDim.x) * blockDim.x)

template <class T>
__device__ __forceinline__ void channel_rms_norm_impl(const T* x, const T* __restrict__ gamma, T* y, int c, long long n, int silu)
{
    const float root_c = sqrtf(static_cast<float>(c));
    WAN_GRID_STRIDE(p, n)
    {
        float s = 0.0f;
        for (int ch = 0; ch < c; ch++)
        {
            const float v = to_float(x[ch * n + p]);
            s = fmaf(v, v, s);
        }
        const float factor = root_c / fmaxf(sqrtf(s), 1e-12f);
        for (int ch = 0; ch < c; ch++)
        {
            float v = to_float(x[ch * n + p]) * factor * to_float(gamma[ch]);
            if (silu != 0)
            {
                v = v / (1.0f + expf(-v));
            }
            y[ch * n + p] = from_float<T>(v);
        }
    }
}

template <class T>
__device__ __forceinline__ void channel_affine_impl(const T* x, const T* __restrict__ scale, const T* __restrict__ shift, T* y, int c, long long n)
{
    const long long total = static_cast<long long>(c) * n;
    WAN_GRID_STRIDE(i, total)
    {
        const long long ch = i / n;
        y[i] = from_float<T>(fmaf(to_float(x[i]), to_float(scale[ch]), to_float(shift[ch])));
    }
}

#define WAN_VAE_NORM(T, suffix)                                                                                         \
    extern "C" __global__ void vae_channel_rms_norm_##suffix(const T* x, const T* gamma, T* y, int c, long long n, int silu) \
    {                                                                                                                   \
        channel_rms_norm_impl<T>(x, gamma, y, c, n, silu);                                                              \
    }                                                                                                                   \
    extern "C" __global__ void vae_channel_affine_##suffix(const T* x, const T* scale, const T* shift, T* y, int c, long long n) \
    {                                                                                                                   \
        channel_affine_impl<T>(x, scale, shift, y, c, n);                                                               \
    }                                                                                                                   \
    WAN_REGISTER_KERNEL(vae_channel_rms_norm_##suffix);                                                                 \
    WAN_REGISTER_KERNEL(vae_channel_affine_##suffix)

WAN_VAE_NORM(float, f32);
WAN_VAE_NORM(wan_bf16, bf16);
WAN_VAE_NORM(wan_f16, f16);
