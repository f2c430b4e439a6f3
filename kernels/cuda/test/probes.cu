// Probe kernels that test the device itself (the emulator's scheduler and the tensor-core helpers),
// not model math. All launch one block; pointers are plain row-major arrays:
//   probe_mma_bf16 / probe_mma_f16(a, b, c, d): one warp; a [16,16] and b [8,16] (B stored N x K, i.e.
//       "col") 16-bit, c, d [16,8] fp32; fragments are built by hand from global memory, d = a·bᵀ + c.
//   probe_ldmatrix_x4(m, out): one warp; m [16,16] 16-bit → shared; lane l gives the address of row
//       l%8 + 8·((l/8)%2), column 8·(l/16); out [32 lanes, 4 registers] = the loaded registers.
//   probe_mma_ldmatrix_bf16(a, b, c, d): as probe_mma_bf16 with the A fragment loaded by ldmatrix.x4.
//   probe_warp_sum_in_branch(x, out, n): block of ≥ 32 threads; only warp 0 sums x[0..n) with shuffles.
//   probe_shuffles(in, out): one warp; out [6, 32] = idx(lane 5), up(3, width 16), down(2), xor(6),
//       ballot(in odd), any/all bit pattern of (in > 0) per lane.
//   probe_atomics(x, sum, max_bits, n): sum += x[i] and max_bits = max(int bits of x[i]) by atomics.
//   probe_dynamic_shared(x, y, n): y[i] = x[n-1-i] through dynamic shared memory (n ≤ blockDim.x).
//   probe_divergent_barrier(out): even and odd threads wait at different __syncthreads (an error).
//   probe_exit_before_barrier(out): threads ≥ 16 return before a __syncthreads (an error).
#include "mma.cuh"

template <class T>
__device__ __forceinline__ unsigned pack(const T* p) { return static_cast<unsigned>(p[0].bits) | (static_cast<unsigned>(p[1].bits) << 16); }

template <class T>
__device__ __forceinline__ void load_b_fragment(const T* b, unsigned frag[2])
{
    int lane = threadIdx.x & 31, g = lane / 4, t = lane % 4;
    frag[0] = pack(b + g * 16 + 2 * t);
    frag[1] = pack(b + g * 16 + 2 * t + 8);
}

// Element i of a C/D fragment: row g (+8 for i >= 2), column 2t + (i & 1) of the [16, 8] matrix.
__device__ __forceinline__ int cd_index(int i)
{
    int lane = threadIdx.x & 31, g = lane / 4, t = lane % 4;
    return (g + (i >= 2 ? 8 : 0)) * 8 + 2 * t + (i & 1);
}

__device__ __forceinline__ void load_c_fragment(const float* c, float frag[4])
{
    for (int i = 0; i < 4; i++)
    {
        frag[i] = c[cd_index(i)];
    }
}

__device__ __forceinline__ void store_d_fragment(const float frag[4], float* d)
{
    for (int i = 0; i < 4; i++)
    {
        d[cd_index(i)] = frag[i];
    }
}

template <class T>
__device__ __forceinline__ void probe_mma(const T* a, const T* b, const float* c, float* d, bool bf16)
{
    int lane = threadIdx.x & 31, g = lane / 4, t = lane % 4;
    unsigned fa[4], fb[2];
    float fc[4], fd[4];
    for (int r = 0; r < 4; r++)
    {
        fa[r] = pack(a + (g + ((r & 1) ? 8 : 0)) * 16 + 2 * t + ((r & 2) ? 8 : 0));
    }
    load_b_fragment(b, fb);
    load_c_fragment(c, fc);
    if (bf16)
    {
        mma_m16n8k16_bf16(fd, fa, fb, fc);
    }
    else
    {
        mma_m16n8k16_f16(fd, fa, fb, fc);
    }
    store_d_fragment(fd, d);
}

extern "C" __global__ void probe_mma_bf16(const wan_bf16* a, const wan_bf16* b, const float* c, float* d) { probe_mma(a, b, c, d, true); }
extern "C" __global__ void probe_mma_f16(const wan_f16* a, const wan_f16* b, const float* c, float* d) { probe_mma(a, b, c, d, false); }

__device__ __forceinline__ void ldmatrix_a_tile(const unsigned short* m, unsigned frag[4])
{
    __shared__ __align__(16) unsigned short tile[16 * 16];
    int lane = threadIdx.x & 31;
    for (int i = lane; i < 256; i += 32)
    {
        tile[i] = m[i];
    }
    __syncwarp();
    int row = lane % 8 + 8 * ((lane / 8) % 2), col = 8 * (lane / 16);
    ldmatrix_x4(frag, tile + row * 16 + col);
}

extern "C" __global__ void probe_ldmatrix_x4(const unsigned short* m, unsigned* out)
{
    unsigned frag[4];
    ldmatrix_a_tile(m, frag);
    for (int i = 0; i < 4; i++)
    {
        out[(threadIdx.x & 31) * 4 + i] = frag[i];
    }
}

extern "C" __global__ void probe_mma_ldmatrix_bf16(const wan_bf16* a, const wan_bf16* b, const float* c, float* d)
{
    unsigned fa[4], fb[2];
    float fc[4], fd[4];
    ldmatrix_a_tile(reinterpret_cast<const unsigned short*>(a), fa);
    load_b_fragment(b, fb);
    load_c_fragment(c, fc);
    mma_m16n8k16_bf16(fd, fa, fb, fc);
    store_d_fragment(fd, d);
}

extern "C" __global__ void probe_warp_sum_in_branch(const float* x, float* out, int n)
{
    if (threadIdx.x < 32)
    {
        float s = 0.0f;
        for (int i = threadIdx.x; i < n; i += 32)
        {
            s += x[i];
        }
        s = warp_sum(s);
        if (threadIdx.x == 0)
        {
            out[0] = s;
        }
    }
}

extern "C" __global__ void probe_shuffles(const int* in, int* out)
{
    int lane = threadIdx.x & 31;
    int v = in[lane];
    out[0 * 32 + lane] = __shfl_sync(0xffffffffu, v, 5);
    out[1 * 32 + lane] = __shfl_up_sync(0xffffffffu, v, 3, 16);
    out[2 * 32 + lane] = __shfl_down_sync(0xffffffffu, v, 2);
    out[3 * 32 + lane] = __shfl_xor_sync(0xffffffffu, v, 6);
    out[4 * 32 + lane] = static_cast<int>(__ballot_sync(0xffffffffu, v & 1));
    out[5 * 32 + lane] = __any_sync(0xffffffffu, v > 0) | (__all_sync(0xffffffffu, v > 0) << 1);
}

extern "C" __global__ void probe_atomics(const float* x, float* sum, int* max_bits, int n)
{
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x)
    {
        atomicAdd(sum, x[i]);
        atomicMax(max_bits, __float_as_int(x[i]));
    }
}

extern "C" __global__ void probe_dynamic_shared(const float* x, float* y, int n)
{
    WAN_DYNAMIC_SHARED(float, buffer);
    int i = threadIdx.x;
    if (i < n)
    {
        buffer[i] = x[i];
    }
    __syncthreads();
    if (i < n)
    {
        y[i] = buffer[n - 1 - i];
    }
}

extern "C" __global__ void probe_divergent_barrier(float* out)
{
    if (threadIdx.x % 2 == 0)
    {
        __syncthreads();
    }
    else
    {
        __syncthreads();
    }
    out[threadIdx.x] = 1.0f;
}

extern "C" __global__ void probe_exit_before_barrier(float* out)
{
    if (threadIdx.x >= 16)
    {
        return;
    }
    __syncthreads();
    out[threadIdx.x] = 1.0f;
}

WAN_REGISTER_KERNEL(probe_mma_bf16);
WAN_REGISTER_KERNEL(probe_mma_f16);
WAN_REGISTER_KERNEL(probe_ldmatrix_x4);
WAN_REGISTER_KERNEL(probe_mma_ldmatrix_bf16);
WAN_REGISTER_KERNEL(probe_warp_sum_in_branch);
WAN_REGISTER_KERNEL(probe_shuffles);
WAN_REGISTER_KERNEL(probe_atomics);
WAN_REGISTER_KERNEL(probe_dynamic_shared);
WAN_REGISTER_KERNEL(probe_divergent_barrier);
WAN_REGISTER_KERNEL(probe_exit_before_barrier);
