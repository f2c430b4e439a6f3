// The DiT's patch layout, as bit copies of any 2-/4-byte storage type (the suffix is the width):
//   patchify_gather_B(latent, cols, c, f, h, w, pt, ph, pw):
//     latent [c, f, h, w] → cols [tokens, c·pt·ph·pw], token = (tf·gh + th)·gw + tw (w fastest),
//     column = ((ch·pt + kt)·ph + kh)·pw + kw (the order of the Conv3d weight [D, c, pt, ph, pw]),
//     so the patch embedding is then one GEMM cols · weightᵀ (the Conv3d with kernel = stride).
//   unpatchify_B(tokens, video, c, gf, gh, gw, pt, ph, pw):
//     tokens [gf·gh·gw, pt·ph·pw·c] (c fastest) → video [c, gf·pt, gh·ph, gw·pw].
// Mapping: 1-D grid-stride loop over the output elements (each is written once; reads are scattered).
#include "common.cuh"

template <class T>
__device__ __forceinline__ void patchify_gather_impl(const T* __restrict__ latent, T* __restrict__ cols, int c, int f, int h, int w, int pt, int ph, int pw)
{
    const int gh = h / ph, gw = w / pw;
    const int per = c * pt * ph * pw;
    const long long total = static_cast<long long>(f / pt) * gh * gw * per;
    for (long long i = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x; i < total; i += static_cast<long long>(gridDim.x) * blockDim.x)
    {
        long long token = i / per;
        int column = static_cast<int>(i % per);
        int kw = column % pw, kh = (column / pw) % ph, kt = (column / (pw * ph)) % pt, ch = column / (pw * ph * pt);
        int tw = static_cast<int>(token % gw), th = static_cast<int>((token / gw) % gh), tf = static_cast<int>(token / (static_cast<long long>(gw) * gh));
        cols[i] = latent[((static_cast<long long>(ch) * f + tf * pt + kt) * h + th * ph + kh) * w + tw * pw + kw];
    }
}

template <class T>
__device__ __forceinline__ void unpatchify_impl(const T* __restrict__ tokens, T* __restrict__ video, int c, int gf, int gh, int gw, int pt, int ph, int pw)
{
    const int f = gf * pt, h = gh * ph, w = gw * pw;
    const long long total = static_cast<long long>(c) * f * h * w;
    for (long long i = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x; i < total; i += static_cast<long long>(gridDim.x) * blockDim.x)
    {
        int x = static_cast<int>(i % w), y = static_cast<int>((i / w) % h), z = static_cast<int>((i / (static_cast<long long>(w) * h)) % f);
        int ch = static_cast<int>(i / (static_cast<long long>(w) * h * f));
        long long token = (static_cast<long long>(z / pt) * gh + y / ph) * gw + x / pw;
        int column = (((z % pt) * ph + y % ph) * pw + x % pw) * c + ch;
        video[i] = tokens[token * (static_cast<long long>(pt) * ph * pw * c) + column];
    }
}

#define WAN_PATCH(T, suffix)                                                                                                   \
    extern "C" __global__ void patchify_gather_##suffix(const T* latent, T* cols, int c, int f, int h, int w, int pt, int ph, int pw) \
    {                                                                                                                          \
        patchify_gather_impl<T>(latent, cols, c, f, h, w, pt, ph, pw);                                                         \
    }                                                                                                                          \
    extern "C" __global__ void unpatchify_##suffix(const T* tokens, T* video, int c, int gf, int gh, int gw, int pt, int ph, int pw) \
    {                                                                                                                          \
        unpatchify_impl<T>(tokens, video, c, gf, gh, gw, pt, ph, pw);                                                          \
    }                                                                                                                          \
    WAN_REGISTER_KERNEL(patchify_gather_##suffix);                                                                             \
    WAN_REGISTER_KERNEL(unpatchify_##suffix)

WAN_PATCH(unsigned short, 16bit);
WAN_PATCH(unsigned, 32bit);
