// Probe kernels for the emulator's hazard checks: each is either deliberately wrong in one way the
// emulator must flag, or the corrected twin that must pass (so a check is proven by both outcomes).
// All launch one 1-D block unless said otherwise; n ≤ 256 threads.
//   probe_race_neighbour(x, y, n, barrier): tile[t] = x[t], then y[t] = tile[t - 1] (y[0] = tile[0]);
//       barrier = 0 leaves out the __syncthreads between the write and the neighbour's read (a race).
//   probe_race_tile_reuse(x, y, n, tiles, barrier): for each tile k, tile[t] = x[k n + t], barrier,
//       y[k n + t] = tile[min(t + 1, n - 1)]; barrier = 0 leaves out the barrier before the tile is
//       overwritten by the next iteration (a race).
//   probe_shuffle_outside_mask(in, out, source): lanes 0..15 shuffle with mask 0x0000ffff from
//       lane `source`; out[lane] = the value (source ≥ 16 reads a lane outside the mask: an error).
//   probe_static_shared_poison(out): any grid; out[block · blockDim + t] = the bits of a static
//       __shared__ word before anyone writes it (then the block writes it, for the next block to see).
//   probe_ldmatrix(m, out, count, trans, row_offset, from_global): one warp; m [16,16] 16-bit → a
//       shared tile; lane l gives row (l % 16) at column 8 (l / 16) of the tile (or of m itself when
//       from_global), shifted by row_offset bytes; out [32, 4] = the registers of ldmatrix.x{count}{.trans}.
//   probe_race_cp_async(x, y, n, wait): n floats (a multiple of 4, ≤ 1024) copied into shared memory
//       16 bytes per thread by cp.async.cg, committed, waited for (wait = 0 leaves out the wait: the
//       tile is read before the copies land), a barrier, then y[i] = tile[n - 1 - i].
//   probe_cp_async_misaligned(x, y): one thread; a cp.async whose global source is 4 bytes off (an error).
//   probe_vector_load(x, y, offset): one thread; y[0..4) = a float4 loaded from x + offset floats
//       (offset not a multiple of 4 is a misaligned vector load: the UBSan build flags it).
//   probe_trap(out, trap): out[t] = t, then thread 0 executes __trap() when trap != 0 (a fault that a
//       GPU reports asynchronously: WAN_CUDA_SYNC=1 must name this kernel).
#include "common.cuh"

extern "C" __global__ void probe_race_neighbour(const float* x, float* y, int n, int barrier)
{
    __shared__ float tile[256];
    int t = threadIdx.x;
    if (t < n)
    {
        tile[t] = x[t];
    }
    if (barrier)
    {
        __syncthreads();
    }
    if (t < n)
    {
        y[t] = tile[t > 0 ? t - 1 : 0];
    }
}

extern "C" __global__ void probe_race_tile_reuse(const float* x, float* y, int n, int tiles, int barrier)
{
    __shared__ float tile[256];
    int t = threadIdx.x;
    for (int k = 0; k < tiles; k++)
    {
        if (t < n)
        {
            tile[t] = x[k * n + t];
        }
        __syncthreads();
        if (t < n)
        {
            y[k * n + t] = tile[min(t + 1, n - 1)];
        }
        if (barrier)
        {
            __syncthreads();
        }
    }
}

extern "C" __global__ void probe_shuffle_outside_mask(const int* in, int* out, int source)
{
    int lane = threadIdx.x & 31;
    if (lane < 16)
    {
        out[lane] = __shfl_sync(0x0000ffffu, in[lane], source);
    }
}

extern "C" __global__ void probe_static_shared_poison(unsigned* out)
{
    __shared__ unsigned scratch[256];
    int t = threadIdx.x;
    out[blockIdx.x * blockDim.x + t] = scratch[t];
    __syncthreads();
    scratch[t] = 0x12345678u + t;
}

__device__ __forceinline__ void probe_ldmatrix_load(unsigned r[4], int count, int trans, const void* row)
{
#if WAN_NVRTC
    unsigned address;
    asm("{ .reg .u64 a; cvta.to.shared.u64 a, %1; cvt.u32.u64 %0, a; }" : "=r"(address) : "l"(row));
    if (count == 4 && trans)
    {
        asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];" : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3]) : "r"(address));
    }
    else if (count == 4)
    {
        asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];" : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3]) : "r"(address));
    }
    else if (count == 2 && trans)
    {
        asm volatile("ldmatrix.sync.aligned.m8n8.x2.trans.shared.b16 {%0,%1}, [%2];" : "=r"(r[0]), "=r"(r[1]) : "r"(address));
    }
    else if (count == 2)
    {
        asm volatile("ldmatrix.sync.aligned.m8n8.x2.shared.b16 {%0,%1}, [%2];" : "=r"(r[0]), "=r"(r[1]) : "r"(address));
    }
    else if (trans)
    {
        asm volatile("ldmatrix.sync.aligned.m8n8.x1.trans.shared.b16 {%0}, [%1];" : "=r"(r[0]) : "r"(address));
    }
    else
    {
        asm volatile("ldmatrix.sync.aligned.m8n8.x1.shared.b16 {%0}, [%1];" : "=r"(r[0]) : "r"(address));
    }
#else
    ::cuda_emu::ldmatrix(r, count, trans != 0, row, __FILE__, __LINE__);
#endif
}

extern "C" __global__ void probe_ldmatrix(const unsigned short* m, unsigned* out, int count, int trans, int row_offset, int from_global)
{
    __shared__ __align__(16) unsigned short tile[16 * 16 + 8];
    int lane = threadIdx.x & 31;
    for (int i = lane; i < 256; i += 32)
    {
        tile[i] = m[i];
    }
    __syncwarp();
    const unsigned short* base = from_global ? m : tile;
    const unsigned char* row = reinterpret_cast<const unsigned char*>(base + (lane % 16) * 16 + 8 * (lane / 16)) + row_offset;
    unsigned r[4] = {0, 0, 0, 0};
    probe_ldmatrix_load(r, count, trans, row);
    for (int i = 0; i < 4; i++)
    {
        out[lane * 4 + i] = r[i];
    }
}

__device__ __forceinline__ void probe_cp_async16(void* shared, const void* global)
{
#if WAN_NVRTC
    unsigned address;
    asm("{ .reg .u64 a; cvta.to.shared.u64 a, %1; cvt.u32.u64 %0, a; }" : "=r"(address) : "l"(shared));
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16;" ::"r"(address), "l"(global));
#else
    ::cuda_emu::cp_async(shared, global, 16, 16, true, __FILE__, __LINE__);
#endif
}

__device__ __forceinline__ void probe_cp_async_commit()
{
#if WAN_NVRTC
    asm volatile("cp.async.commit_group;");
#else
    ::cuda_emu::cp_async_commit();
#endif
}

__device__ __forceinline__ void probe_cp_async_wait_all()
{
#if WAN_NVRTC
    asm volatile("cp.async.wait_group 0;");
#else
    ::cuda_emu::cp_async_wait(0);
#endif
}

extern "C" __global__ void probe_race_cp_async(const float* x, float* y, int n, int wait)
{
    __shared__ __align__(16) float tile[1024];
    int t = threadIdx.x;
    if (4 * t < n)
    {
        probe_cp_async16(tile + 4 * t, x + 4 * t);
    }
    probe_cp_async_commit();
    if (wait)
    {
        probe_cp_async_wait_all();
    }
    __syncthreads();
    for (int i = t; i < n; i += blockDim.x)
    {
        y[i] = tile[n - 1 - i];
    }
}

extern "C" __global__ void probe_cp_async_misaligned(const float* x, float* y)
{
    __shared__ __align__(16) float tile[8];
    probe_cp_async16(tile, x + 1);
    probe_cp_async_commit();
    probe_cp_async_wait_all();
    y[0] = tile[0];
}

extern "C" __global__ void probe_vector_load(const float* x, float* y, int offset)
{
    float4 v = *reinterpret_cast<const float4*>(x + offset);
    y[0] = v.x;
    y[1] = v.y;
    y[2] = v.z;
    y[3] = v.w;
}

extern "C" __global__ void probe_trap(int* out, int trap)
{
    out[threadIdx.x] = static_cast<int>(threadIdx.x);
    if (trap && threadIdx.x == 0)
    {
        __trap();
    }
}

WAN_REGISTER_KERNEL(probe_race_neighbour);
WAN_REGISTER_KERNEL(probe_race_tile_reuse);
WAN_REGISTER_KERNEL(probe_shuffle_outside_mask);
WAN_REGISTER_KERNEL(probe_static_shared_poison);
WAN_REGISTER_KERNEL(probe_ldmatrix);
WAN_REGISTER_KERNEL(probe_race_cp_async);
WAN_REGISTER_KERNEL(probe_cp_async_misaligned);
WAN_REGISTER_KERNEL(probe_vector_load);
WAN_REGISTER_KERNEL(probe_trap);
