// Elementwise kernels over flat row-major tensors, fp32 math on fp32/bf16/fp16 storage (the suffix):
//   gelu_tanh_T(x, y, n):        y[i] = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))   (y may alias x)
//   silu_T(x, y, n):             y[i] = x / (1 + e^-x)                                (y may alias x)
//   add_T(a, b, y, n):           y[i] = a[i] + b[i]          (y may alias a or b)
//   mul_T(a, b, y, n):           y[i] = a[i] · b[i]          (y may alias a or b)
//   gated_add_T(x, y, gate, n, d): x[i] += gate[i % d] · y[i]  (x [n/d, d], gate [d]; gated residual;
//                                y may alias x, gate must not overlap x)
//   add_row_vector_T(y, v, n, d):  y[i] += v[i % d]            (bias over the rows of y [n/d, d]; v must not overlap y)
//   copy_16bit / copy_32bit(src, dst, n): dst[i] = src[i], bit copies of any 2-/4-byte type (no overlap)
//   convert_S_to_T(x, y, n):     y[i] = x[i] in another storage type (f32 <-> bf16/f16, round to nearest
//                                even; no overlap)
// Aliasing is safe where allowed because element i is read and then written by the same thread;
// __restrict__ marks exactly the operands that must not overlap an output (the launchers in
// Wan.Kernels.Ops.ElementwiseOps check it).
// Pointers are element pointers to n contiguous elements (gate, v: d elements); n is 64-bit.
// Mapping: 1-D grid-stride loop, any grid and 1-D block; element i = blockIdx.x·blockDim.x +
// threadIdx.x + k·gridDim.x·blockDim.x.
#include "common.cuh"

#define WAN_GRID_STRIDE(i, n) \
    for (long long i = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x; i < (n); i += static_cast<long long>(gridDim.x) * blockDim.x)

__device__ __forceinline__ float gelu_tanh(float x)
{
    const float k = 0.7978845608028654f; // sqrt(2/pi)
    return 0.5f * x * (1.0f + tanhf(k * (x + 0.044715f * x * x * x)));
}

__device__ __forceinline__ float silu(float x) { return x / (1.0f + expf(-x)); }

template <class T>
__device__ __forceinline__ void gelu_tanh_impl(const T* x, T* y, long long n)
{
    WAN_GRID_STRIDE(i, n) { y[i] = from_float<T>(gelu_tanh(to_float(x[i]))); }
}

template <class T>
__device__ __forceinline__ void silu_impl(const T* x, T* y, long long n)
{
    WAN_GRID_STRIDE(i, n) { y[i] = from_float<T>(silu(to_float(x[i]))); }
}

template <class T>
__device__ __forceinline__ void add_impl(const T* a, const T* b, T* y, long long n)
{
    WAN_GRID_STRIDE(i, n) { y[i] = from_float<T>(to_float(a[i]) + to_float(b[i])); }
}

template <class T>
__device__ __forceinline__ void mul_impl(const T* a, const T* b, T* y, long long n)
{
    WAN_GRID_STRIDE(i, n) { y[i] = from_float<T>(to_float(a[i]) * to_float(b[i])); }
}

template <class T>
__device__ __forceinline__ void gated_add_impl(T* x, const T* y, const T* __restrict__ gate, long long n, int d)
{
    WAN_GRID_STRIDE(i, n) { x[i] = from_float<T>(fmaf(to_float(gate[i % d]), to_float(y[i]), to_float(x[i]))); }
}

template <class T>
__device__ __forceinline__ void add_row_vector_impl(T* y, const T* __restrict__ v, long long n, int d)
{
    WAN_GRID_STRIDE(i, n) { y[i] = from_float<T>(to_float(y[i]) + to_float(v[i % d])); }
}

template <class S, class T>
__device__ __forceinline__ void convert_impl(const S* __restrict__ x, T* __restrict__ y, long long n)
{
    WAN_GRID_STRIDE(i, n) { y[i] = from_float<T>(to_float(x[i])); }
}

template <class T>
__device__ __forceinline__ void copy_impl(const T* __restrict__ src, T* __restrict__ dst, long long n)
{
    WAN_GRID_STRIDE(i, n) { dst[i] = src[i]; }
}

#define WAN_ELEMENTWISE(T, suffix)                                                                                                     \
    extern "C" __global__ void gelu_tanh_##suffix(const T* x, T* y, long long n) { gelu_tanh_impl<T>(x, y, n); }                      \
    extern "C" __global__ void silu_##suffix(const T* x, T* y, long long n) { silu_impl<T>(x, y, n); }                                \
    extern "C" __global__ void add_##suffix(const T* a, const T* b, T* y, long long n) { add_impl<T>(a, b, y, n); }                  \
    extern "C" __global__ void mul_##suffix(const T* a, const T* b, T* y, long long n) { mul_impl<T>(a, b, y, n); }                  \
    extern "C" __global__ void gated_add_##suffix(T* x, const T* y, const T* gate, long long n, int d) { gated_add_impl<T>(x, y, gate, n, d); } \
    extern "C" __global__ void add_row_vector_##suffix(T* y, const T* v, long long n, int d) { add_row_vector_impl<T>(y, v, n, d); } \
    WAN_REGISTER_KERNEL(gelu_tanh_##suffix);                                                                                          \
    WAN_REGISTER_KERNEL(silu_##suffix);                                                                                               \
    WAN_REGISTER_KERNEL(add_##suffix);                                                                                                \
    WAN_REGISTER_KERNEL(mul_##suffix);                                                                                                \
    WAN_REGISTER_KERNEL(gated_add_##suffix);                                                                                          \
    WAN_REGISTER_KERNEL(add_row_vector_##suffix)

WAN_ELEMENTWISE(float, f32);
WAN_ELEMENTWISE(wan_bf16, bf16);
WAN_ELEMENTWISE(wan_f16, f16);

extern "C" __global__ void copy_16bit(const unsigned short* src, unsigned short* dst, long long n) { copy_impl(src, dst, n); }
extern "C" __global__ void copy_32bit(const unsigned* src, unsigned* dst, long long n) { copy_impl(src, dst, n); }
WAN_REGISTER_KERNEL(copy_16bit);
WAN_REGISTER_KERNEL(copy_32bit);

#define WAN_CONVERT(S, s_suffix, T, t_suffix)                                                                                    \
    extern "C" __global__ void convert_##s_suffix##_to_##t_suffix(const S* x, T* y, long long n) { convert_impl<S, T>(x, y, n); } \
    WAN_REGISTER_KERNEL(convert_##s_suffix##_to_##t_suffix)

WAN_CONVERT(float, f32, wan_bf16, bf16);
WAN_CONVERT(float, f32, wan_f16, f16);
WAN_CONVERT(wan_bf16, bf16, float, f32);
WAN_CONVERT(wan_f16, f16, float, f32);
