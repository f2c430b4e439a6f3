// Tensor-core helpers on the fragment layouts of the PTX ISA ("Matrix Fragments for
// mma.m16n8k16" with .f16/.bf16 inputs and .f32 accumulators), lane = threadIdx.x % 32,
// g = lane / 4, t = lane % 4, each 32-bit register holding two 16-bit elements (lower half first):
//   A 16x16 row-major: a[0] = A[g][2t..2t+1], a[1] = A[g+8][2t..], a[2] = A[g][2t+8..], a[3] = A[g+8][2t+8..]
//   B 16x8 (K x N, "col"): b[0] = B[2t..2t+1][g], b[1] = B[2t+8..2t+9][g]
//   C/D 16x8 fp32: c[0] = C[g][2t], c[1] = C[g][2t+1], c[2] = C[g+8][2t], c[3] = C[g+8][2t+1]
// ldmatrix.x4: lanes 8i..8i+7 give the row addresses (16 bytes each) of 8x8 matrix i; register i of
// lane l receives row l/4, elements 2(l%4)..2(l%4)+1 of matrix i. ldmatrix.x4.trans takes the same
// row addresses and deals the transpose: register i of lane l holds (row 2(l%4), column l/4) and
// (row 2(l%4)+1, column l/4) of matrix i, so a row-major [key][dim] V tile yields P·V's B fragments.
// cp.async.cg (16 bytes, global → shared, bypassing L1) with commit_group/wait_group: the copies of
// a thread land in shared memory at the latest when that thread waits for their group; other threads
// see them after a barrier that follows the wait.
// On the GPU these are single PTX instructions (sm_80+); the emulator gathers the warp's fragments
// with a full-warp exchange and computes the product in fp32; ldmatrix and cp.async are emulated by
// kernels/emu (cuda_emu::ldmatrix, cuda_emu::cp_async: alignment and shared-memory checks, each
// thread's copies landing at its wait_group, so a read before the wait sees stale shared memory).
#pragma once

#include "common.cuh"

#if !WAN_NVRTC
namespace wan_mma_emu
{
__device__ __forceinline__ float lo(unsigned r, bool bf16) { return bf16 ? to_float(wan_bf16{static_cast<unsigned short>(r & 0xFFFFu)}) : to_float(wan_f16{static_cast<unsigned short>(r & 0xFFFFu)}); }
__device__ __forceinline__ float hi(unsigned r, bool bf16) { return lo(r >> 16, bf16); }

struct Fragments
{
    unsigned a[4];
    unsigned b[2];
    float c[4];
};

// D = A·B + C for the whole warp from the gathered fragments; returns this lane's part of D.
__device__ inline void mma_m16n8k16(float d[4], const unsigned a[4], const unsigned b[2], const float c[4], bool bf16)
{
    Fragments mine;
    memcpy(mine.a, a, sizeof mine.a);
    memcpy(mine.b, b, sizeof mine.b);
    memcpy(mine.c, c, sizeof mine.c);
    const unsigned char* all = ::cuda_emu::warp_exchange(&mine, sizeof mine, __FILE__, __LINE__);
    float A[16][16], B[16][8];
    for (int lane = 0; lane < 32; lane++)
    {
        Fragments f;
        memcpy(&f, all + 64 * lane, sizeof f);
        int g = lane / 4, t = lane % 4;
        for (int r = 0; r < 4; r++)
        {
            int row = g + ((r & 1) ? 8 : 0), col = 2 * t + ((r & 2) ? 8 : 0);
            A[row][col] = lo(f.a[r], bf16);
            A[row][col + 1] = hi(f.a[r], bf16);
        }
        for (int r = 0; r < 2; r++)
        {
            int k = 2 * t + (r ? 8 : 0);
            B[k][g] = lo(f.b[r], bf16);
            B[k + 1][g] = hi(f.b[r], bf16);
        }
    }
    int lane = threadIdx.x & 31, g = lane / 4, t = lane % 4;
    for (int i = 0; i < 4; i++)
    {
        int row = g + (i >= 2 ? 8 : 0), col = 2 * t + (i & 1);
        float sum = c[i];
        for (int k = 0; k < 16; k++)
        {
            sum = fmaf(A[row][k], B[k][col], sum);
        }
        d[i] = sum;
    }
}
} // namespace wan_mma_emu
#endif

__device__ __forceinline__ void mma_m16n8k16_bf16(float d[4], const unsigned a[4], const unsigned b[2], const float c[4])
{
#if WAN_NVRTC
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%10,%11,%12,%13};"
                 : "=f"(d[0]), "=f"(d[1]), "=f"(d[2]), "=f"(d[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]), "f"(c[0]), "f"(c[1]), "f"(c[2]), "f"(c[3]));
#else
    wan_mma_emu::mma_m16n8k16(d, a, b, c, true);
#endif
}

__device__ __forceinline__ void mma_m16n8k16_f16(float d[4], const unsigned a[4], const unsigned b[2], const float c[4])
{
#if WAN_NVRTC
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%10,%11,%12,%13};"
                 : "=f"(d[0]), "=f"(d[1]), "=f"(d[2]), "=f"(d[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]), "f"(c[0]), "f"(c[1]), "f"(c[2]), "f"(c[3]));
#else
    wan_mma_emu::mma_m16n8k16(d, a, b, c, false);
#endif
}

// row points into shared memory: this lane's row of one of the four 8x8 matrices (see above).
__device__ __forceinline__ void ldmatrix_x4(unsigned r[4], const void* row)
{
#if WAN_NVRTC
    unsigned address;
    asm("{ .reg .u64 a; cvta.to.shared.u64 a, %1; cvt.u32.u64 %0, a; }" : "=r"(address) : "l"(row));
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(address));
#else
    ::cuda_emu::ldmatrix(r, 4, false, row, __FILE__, __LINE__); // checks alignment and that the rows are shared memory
#endif
}

// As ldmatrix_x4, with each 8x8 matrix transposed (see above).
__device__ __forceinline__ void ldmatrix_x4_trans(unsigned r[4], const void* row)
{
#if WAN_NVRTC
    unsigned address;
    asm("{ .reg .u64 a; cvta.to.shared.u64 a, %1; cvt.u32.u64 %0, a; }" : "=r"(address) : "l"(row));
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(address));
#else
    ::cuda_emu::ldmatrix(r, 4, true, row, __FILE__, __LINE__); // checks alignment and that the rows are shared memory
#endif
}

// cp.async.cg.shared.global of 16 bytes: src_bytes (0 or 16) are read from `source` (global, 16-byte
// aligned), the rest of the 16 bytes at `destination` (shared, 16-byte aligned) become zeros.
__device__ __forceinline__ void cp_async_16(void* destination, const void* source, int src_bytes)
{
#if WAN_NVRTC
    unsigned address;
    asm("{ .reg .u64 a; cvta.to.shared.u64 a, %1; cvt.u32.u64 %0, a; }" : "=r"(address) : "l"(destination));
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;" ::"r"(address), "l"(source), "r"(src_bytes) : "memory");
#else
    ::cuda_emu::cp_async(destination, source, 16, src_bytes, true, __FILE__, __LINE__);
#endif
}

// cp.async.commit_group: the copies issued since the last commit form one group.
__device__ __forceinline__ void cp_async_commit()
{
#if WAN_NVRTC
    asm volatile("cp.async.commit_group;" ::: "memory");
#else
    ::cuda_emu::cp_async_commit();
#endif
}

// cp.async.wait_group N: waits until at most the newest N committed groups of this thread are pending.
template <int N>
__device__ __forceinline__ void cp_async_wait()
{
#if WAN_NVRTC
    asm volatile("cp.async.wait_group %0;" ::"n"(N) : "memory");
#else
    ::cuda_emu::cp_async_wait(N);
#endif
}
