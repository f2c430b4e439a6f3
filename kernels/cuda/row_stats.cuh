// Row statistics of the LayerNorms (norm.cu, routing.cu): fp32 mean, then the centred variance, each a
// block-wide sum over the columns thread t, t + blockDim.x, ... of one row. Shared so that a per-sample
// modulated LayerNorm computes exactly the statistics of the plain one.
#pragma once
#include "common.cuh"

template <class T>
__device__ __forceinline__ float row_mean(const T* row, int d)
{
    float s = 0.0f;
    for (int c = threadIdx.x; c < d; c += blockDim.x)
    {
        s += to_float(row[c]);
    }
    return block_sum(s) / static_cast<float>(d);
}

template <class T>
__device__ __forceinline__ float row_inv_std(const T* row, int d, float mean, float eps)
{
    float s = 0.0f;
    for (int c = threadIdx.x; c < d; c += blockDim.x)
    {
        float v = to_float(row[c]) - mean;
        s += v * v;
    }
    return rsqrtf(block_sum(s) / static_cast<float>(d) + eps);
}
