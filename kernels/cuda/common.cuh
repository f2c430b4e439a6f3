// Shared by every kernel: the 16-bit storage types with their fp32 conversions (round to nearest
// even), the block-wide sum, and the two macros that differ between NVRTC and the emulator
// (kernel registration, dynamic shared memory). fp16/bf16 helpers are ours: NVRTC compiles these
// sources without the CUDA toolkit headers.
#pragma once

#if defined(__CUDACC_RTC__) || defined(__CUDACC__)
#define WAN_NVRTC 1
#define WAN_REGISTER_KERNEL(name)
#define WAN_DYNAMIC_SHARED(type, name) extern __shared__ __align__(16) type name[]
#else
#define WAN_NVRTC 0
#include "cuda_emu.h"
#endif

// Storage-only 16-bit floats: all math happens in fp32 after to_float.
struct wan_bf16
{
    unsigned short bits;
};

struct wan_f16
{
    unsigned short bits;
};

__device__ __forceinline__ float to_float(float v) { return v; }

__device__ __forceinline__ float to_float(wan_bf16 v) { return __uint_as_float(static_cast<unsigned>(v.bits) << 16); }

__device__ __forceinline__ float to_float(wan_f16 v)
{
#if WAN_NVRTC
    float f;
    asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(v.bits));
    return f;
#else
    unsigned sign = static_cast<unsigned>(v.bits & 0x8000u) << 16;
    unsigned exponent = (v.bits >> 10) & 0x1Fu;
    unsigned mantissa = v.bits & 0x3FFu;
    if (exponent == 0x1F)
    {
        return __uint_as_float(sign | 0x7F800000u | (mantissa << 13));
    }
    if (exponent == 0)
    {
        float subnormal = static_cast<float>(mantissa) * 5.9604644775390625e-8f; // 2^-24
        return sign ? -subnormal : subnormal;
    }
    return __uint_as_float(sign | ((exponent + 112) << 23) | (mantissa << 13));
#endif
}

template <class T>
__device__ __forceinline__ T from_float(float v);

template <>
__device__ __forceinline__ float from_float<float>(float v) { return v; }

template <>
__device__ __forceinline__ wan_bf16 from_float<wan_bf16>(float v)
{
    wan_bf16 r;
#if WAN_NVRTC
    asm("cvt.rn.bf16.f32 %0, %1;" : "=h"(r.bits) : "f"(v));
#else
    unsigned bits = __float_as_uint(v);
    if ((bits & 0x7FFFFFFFu) > 0x7F800000u)
    {
        r.bits = static_cast<unsigned short>((bits >> 16) | 0x40u); // quiet NaN
    }
    else
    {
        r.bits = static_cast<unsigned short>((bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16);
    }
#endif
    return r;
}

template <>
__device__ __forceinline__ wan_f16 from_float<wan_f16>(float v)
{
    wan_f16 r;
#if WAN_NVRTC
    asm("cvt.rn.f16.f32 %0, %1;" : "=h"(r.bits) : "f"(v));
#else
    unsigned bits = __float_as_uint(v);
    unsigned sign = (bits >> 16) & 0x8000u;
    unsigned magnitude = bits & 0x7FFFFFFFu;
    if (magnitude > 0x7F800000u)
    {
        r.bits = static_cast<unsigned short>(sign | 0x7E00u);
    }
    else if (magnitude >= 0x477FF000u) // 65520 and above round to infinity
    {
        r.bits = static_cast<unsigned short>(sign | 0x7C00u);
    }
    else if (magnitude < 0x38800000u) // below 2^-14: a subnormal half (units of 2^-24)
    {
        unsigned exponent = magnitude >> 23;
        unsigned shift = 126 - exponent;
        if (exponent == 0 || shift > 24)
        {
            r.bits = static_cast<unsigned short>(sign);
        }
        else
        {
            unsigned mantissa = (magnitude & 0x7FFFFFu) | 0x800000u;
            unsigned q = mantissa >> shift;
            unsigned rest = mantissa & ((1u << shift) - 1);
            unsigned half = 1u << (shift - 1);
            q += (rest > half || (rest == half && (q & 1u))) ? 1u : 0u;
            r.bits = static_cast<unsigned short>(sign | q);
        }
    }
    else
    {
        unsigned rebased = magnitude - 0x38000000u; // exponent bias 127 -> 15
        r.bits = static_cast<unsigned short>(sign | ((rebased + 0xFFFu + ((rebased >> 13) & 1u)) >> 13));
    }
#endif
    return r;
}

__device__ __forceinline__ float warp_sum(float v)
{
    for (int offset = 16; offset > 0; offset >>= 1)
    {
        v += __shfl_xor_sync(0xffffffffu, v, offset);
    }
    return v;
}

// Sum over the block (blockDim.x a multiple of 32, 1-D blocks); every thread gets the total.
// Deterministic: the per-warp partials are added in warp order by every thread.
__device__ __forceinline__ float block_sum(float v)
{
    __shared__ float partial[32];
    int lane = threadIdx.x & 31;
    int warp = threadIdx.x >> 5;
    int warps = blockDim.x >> 5;
    v = warp_sum(v);
    if (lane == 0)
    {
        partial[warp] = v;
    }
    __syncthreads();
    float total = 0.0f;
    for (int w = 0; w < warps; w++)
    {
        total += partial[w];
    }
    __syncthreads(); // partial[] is reused by the next call
    return total;
}
