// smoke.cu — the smallest kernel, for testing the compile/load/launch path end to end.
//
// wan_smoke_axpy: y[i] = a * x[i] + y[i] for i in [0, n), fp32.
//   x: const float[n], contiguous (read only)
//   y: float[n], contiguous (read and written in place)
// Grid/block: 1-D; one thread per element, i = blockIdx.x * blockDim.x + threadIdx.x; threads with
// i >= n do nothing, so any grid with gridDim.x * blockDim.x >= n is valid.

#include "common.cuh"

extern "C" __global__ void wan_smoke_axpy(int n, float a, const float* __restrict__ x, float* __restrict__ y)
{
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        y[i] = a * x[i] + y[i];
    }
}

WAN_REGISTER_KERNEL(wan_smoke_axpy);
