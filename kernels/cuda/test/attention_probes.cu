// Test-only probes of the helpers kernels/cuda/attention.cu adds to mma.cuh (one block, one warp):
//   probe_ldmatrix_x4_trans(m, out): m [16,16] 16-bit → shared; lane l gives the address of row
//       l%8 + 8·((l/8)%2), column 8·(l/16) (the kernel's V addressing); out [32 lanes, 4 registers].
//   probe_cp_async(src, out): each lane copies 16 bytes src[8l..8l+8) (16-bit) into shared memory with
//       cp.async, lanes ≥ 16 with src_bytes 0 (zero fill); out [2, 32] 32-bit = the first word of the
//       lane's shared chunk read before the wait (the emulator has not landed it: still 0xFF poison)
//       and after cp.async.wait_group 0 + __syncwarp.
#include "mma.cuh"

extern "C" __global__ void probe_ldmatrix_x4_trans(const unsigned short* m, unsigned* out)
{
    __shared__ __align__(16) unsigned short tile[16 * 16];
    int lane = threadIdx.x & 31;
    for (int i = lane; i < 256; i += 32)
    {
        tile[i] = m[i];
    }
    __syncwarp();
    unsigned frag[4];
    ldmatrix_x4_trans(frag, tile + (lane % 8 + 8 * ((lane / 8) % 2)) * 16 + 8 * (lane / 16));
    for (int i = 0; i < 4; i++)
    {
        out[lane * 4 + i] = frag[i];
    }
}
WAN_REGISTER_KERNEL(probe_ldmatrix_x4_trans);

extern "C" __global__ void probe_cp_async(const unsigned short* src, unsigned* out)
{
    WAN_DYNAMIC_SHARED(unsigned short, chunks); // 32 × 16 bytes, poisoned 0xFF before the block
    int lane = threadIdx.x & 31;
    cp_async_16(chunks + 8 * lane, src + 8 * lane, lane < 16 ? 16 : 0);
    cp_async_commit();
    out[lane] = *reinterpret_cast<const unsigned*>(chunks + 8 * lane);
    cp_async_wait<0>();
    __syncwarp();
    out[32 + lane] = *reinterpret_cast<const unsigned*>(chunks + 8 * lane);
}
WAN_REGISTER_KERNEL(probe_cp_async);
