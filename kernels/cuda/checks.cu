// Value checks over flat tensors:
//   count_nonfinite_{f32,bf16,f16}(x, n, count): *count += the number of i < n whose x[i] is NaN or
//   ±Inf (exponent bits all ones), read as raw bits so no conversion can hide or create one.
//   *count is an unsigned 64-bit counter the caller zeroes before the launch.
// Mapping: 1-D grid-stride loop, any grid and 1-D block; each thread counts its elements and adds
// its count with one atomicAdd only when it is not zero (non-finite values are the rare case).
#include "common.cuh"

template <class Bits, Bits ExponentMask>
__device__ __forceinline__ void count_nonfinite_impl(const Bits* __restrict__ x, long long n, unsigned long long* count)
{
    unsigned long long local = 0;
    for (long long i = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += static_cast<long long>(gridDim.x) * blockDim.x)
    {
        local += (x[i] & ExponentMask) == ExponentMask ? 1ull : 0ull;
    }
    if (local != 0)
    {
        atomicAdd(count, local);
    }
}

extern "C" __global__ void count_nonfinite_f32(const unsigned* x, long long n, unsigned long long* count)
{
    count_nonfinite_impl<unsigned, 0x7F800000u>(x, n, count);
}

extern "C" __global__ void count_nonfinite_bf16(const unsigned short* x, long long n, unsigned long long* count)
{
    count_nonfinite_impl<unsigned short, static_cast<unsigned short>(0x7F80u)>(x, n, count);
}

extern "C" __global__ void count_nonfinite_f16(const unsigned short* x, long long n, unsigned long long* count)
{
    count_nonfinite_impl<unsigned short, static_cast<unsigned short>(0x7C00u)>(x, n, count);
}

WAN_REGISTER_KERNEL(count_nonfinite_f32);
WAN_REGISTER_KERNEL(count_nonfinite_bf16);
WAN_REGISTER_KERNEL(count_nonfinite_f16);
