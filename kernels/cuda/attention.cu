// Multi-head attention O = softmax(scale·Q·Kᵀ + bias, masked to keys [0, valid_keys))·V without an
// Lq×Lk matrix in memory. q, o [Lq, dim], k, v [Lk, dim], dim = heads·head_dim, row-major, head h
// in columns [h·head_dim, (h+1)·head_dim); bias (optional, may be null) [heads, Lq, Lk] in the
// storage type. Storage fp32/bf16/fp16 (the suffix); softmax statistics and accumulation in fp32.
//
// Q/K RMSNorm and RoPE are a pre-pass, not fused into the tile loads: Wan's RMSNorm runs over the
// whole row (all heads), so a block that owns one head would have to read every head of each row
// anyway. The pre-pass reads each row once, normalizes and rotates it in fp32 and writes the result
// in the storage type, which the attention kernel then reads as Q and K tiles:
//   attention_prepare_T(x, w, cos, sin, y, rows, dim, head_dim, eps): y = rope(x·rsqrt(mean(x²)+eps)·w)
//     w [dim] or null (no norm), cos/sin [≥ rows, head_dim/2] or null (no RoPE); the tables are fp32
//     whatever the storage type (the reference rotates by unrounded angles). Adjacent pairs
//     (2j, 2j+1) of every head turn by angle[row, j]. One block per row, 1-D block of a multiple of
//     32 threads. y may alias x.
//
// flash_attention_{bf16,f16}_d{16,...,128}(q, k, v, bias, o, lq, lk, valid_keys, dim, scale, frame_tokens, frame_radius):
//   tensor cores (mma.sync m16n8k16, 16-bit operands, fp32 accumulation), flash-attention-2 tiling
//   (Dao, "FlashAttention-2", 2023, Algorithm 1 with the forward pass of flash_fwd_kernel.h).
//   Launch: grid (⌈Lq/kBlockRows⌉, heads), block 128 threads = 4 warps, kBlockRows = 128 query rows:
//   warp w owns rows [32w, 32w+32) of the block as two m16 tiles, with the output
//   accumulator (2 × head_dim/2 floats per lane) and the running max/sum of its four rows (g, g+8 of
//   each tile) in registers. Q stays in shared memory (or registers when head_dim ≤ 64) and is read
//   with ldmatrix. Key tiles of kKeys = 64: K [64, head_dim] and V [64, head_dim] row-major go through
//   a double buffer filled with cp.async (16-byte copies, zero-filled past valid_keys), so the copy of
//   tile j+1 runs under the math of tile j with one barrier per tile. Per tile a warp computes
//   S = Q·Kᵀ (32×64, K's B fragments by ldmatrix), folds scale·log2(e) into S so the softmax uses exp2,
//   rescales its accumulator by 2^(m_old − m_new), turns S into P in registers (the C fragment of S is
//   the A fragment of P·V) and adds P·V with V's B fragments from ldmatrix.trans (no transposed
//   stores). Only tiles below valid_keys are visited; keys past valid_keys inside the last tile get −∞.
//   Dynamic shared memory (16-bit elements, rows padded by 8 elements = 16 bytes so ldmatrix and
//   cp.async rows stay 16-byte aligned and eight consecutive rows start in distinct bank quads):
//     Q (kBlockRows + 4·kKeys) × (head_dim + 8) × 2 bytes = 104,448 B at head_dim 128 (above 48 KiB:
//     the launcher opts in; Wan.Kernels.Ops.AttentionOps computes the same number).
//   q, k, v and o must be 16-byte aligned (device allocations are; the launcher checks).
//
// Sliding window over frames (both kernels, trailing arguments frame_tokens, frame_radius): with
//   frame_radius ≥ 0 the tokens are frame-major, frame_tokens per frame (self-attention, lq = lk =
//   valid_keys), and a query of frame f sees only keys of frames [f − R, f + R]. The tensor-core kernel
//   visits only the key tiles that hold a key of some row of its block's window (whole tiles outside
//   are skipped: never loaded, never scored) and masks keys of a visited tile outside a row's own
//   window to −∞; a row whose first tiles are all masked keeps a −∞ running max, so the exponentials
//   are taken against 0 until a live key arrives. The fp32 kernel loops over each row's window only.
//   frame_radius < 0: full attention, the code path and the arithmetic of before.
//
// attention_f32(q, k, v, bias, o, lq, lk, valid_keys, dim, head_dim, scale, frame_tokens, frame_radius): the fp32 path without
//   tensor cores (exact reference numerics, not a fast path). Launch: grid (⌈Lq/4⌉, heads), block
//   128 threads; one warp per query row, head_dim ≤ 256. Per chunk of 32 keys each lane scores one
//   key against the row's q (staged in shared memory), the warp updates max and sum with shuffles,
//   and each lane accumulates its columns (lane, lane + 32, ...) of P·V.
#include "mma.cuh"

namespace
{
constexpr int kWarps = 4;         // warps per block of the tensor-core kernel
constexpr int kThreads = 32 * kWarps;
constexpr int kMTiles = 2;        // m16 tiles (16 query rows each) per warp
constexpr int kBlockRows = kWarps * 16 * kMTiles;
constexpr int kKeys = 64;         // keys per K/V tile
constexpr int kPad = 8;           // 16-bit elements of padding per shared-memory row
constexpr float kLog2e = 1.4426950408889634f;
constexpr int kF32Warps = 4;   // query rows per block of the fp32 kernel
constexpr int kF32MaxHeadDim = 256;
} // namespace

#if WAN_NVRTC
#define WAN_UNROLL _Pragma("unroll")
#define WAN_NO_UNROLL _Pragma("unroll 1")
#else
#define WAN_UNROLL
#define WAN_NO_UNROLL
#endif

__device__ __forceinline__ float negative_infinity() { return -__uint_as_float(0x7F800000u); }

__device__ __forceinline__ float warp_max(float v)
{
    for (int offset = 16; offset > 0; offset >>= 1)
    {
        v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, offset));
    }
    return v;
}

// Max/sum over the four lanes (t = 0..3) that hold one row of a C fragment.
__device__ __forceinline__ float quad_max(float v)
{
    v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, 1));
    return fmaxf(v, __shfl_xor_sync(0xffffffffu, v, 2));
}

__device__ __forceinline__ float quad_sum(float v)
{
    v += __shfl_xor_sync(0xffffffffu, v, 1);
    return v + __shfl_xor_sync(0xffffffffu, v, 2);
}

template <class T>
__device__ __forceinline__ void attention_prepare_impl(const T* x, const T* __restrict__ w, const float* __restrict__ cos_table, const float* __restrict__ sin_table,
                                                       T* y, int dim, int head_dim, float eps)
{
    const long long row = blockIdx.x;
    const T* in = x + row * dim;
    T* out = y + row * dim;
    float inv = 1.0f;
    if (w != nullptr)
    {
        float s = 0.0f;
        for (int c = threadIdx.x; c < dim; c += blockDim.x)
        {
            float v = to_float(in[c]);
            s += v * v;
        }
        inv = rsqrtf(block_sum(s) / static_cast<float>(dim) + eps);
    }
    const int pairs = head_dim / 2;
    for (int p = threadIdx.x; p < dim / 2; p += blockDim.x)
    {
        int c = 2 * p;
        float a = to_float(in[c]) * inv;
        float b = to_float(in[c + 1]) * inv;
        if (w != nullptr)
        {
            a *= to_float(w[c]);
            b *= to_float(w[c + 1]);
        }
        if (cos_table != nullptr)
        {
            long long j = row * pairs + p % pairs;
            float co = cos_table[j], si = sin_table[j];
            float ra = a * co - b * si;
            b = a * si + b * co;
            a = ra;
        }
        out[c] = from_float<T>(a);
        out[c + 1] = from_float<T>(b);
    }
}

__device__ __forceinline__ void mma_16bit(float d[4], const unsigned a[4], const unsigned b[2], wan_bf16) { mma_m16n8k16_bf16(d, a, b, d); }

__device__ __forceinline__ void mma_16bit(float d[4], const unsigned a[4], const unsigned b[2], wan_f16) { mma_m16n8k16_f16(d, a, b, d); }

template <class T>
__device__ __forceinline__ unsigned pack_pair(float lo, float hi)
{
    return static_cast<unsigned>(from_float<T>(lo).bits) | (static_cast<unsigned>(from_float<T>(hi).bits) << 16);
}

// 2^x: one MUFU instruction on the GPU (ex2.approx, relative error ~2^-22; -inf gives +0).
__device__ __forceinline__ float fast_exp2(float x)
{
#if WAN_NVRTC
    float y;
    asm("ex2.approx.ftz.f32 %0, %1;" : "=f"(y) : "f"(x));
    return y;
#else
    return exp2f(x);
#endif
}

// cp.async of rows [row0, row0 + ROWS) of one head (columns column0 .. column0 + DH) into a padded
// shared tile; rows at or past `live_rows` become zeros. ROWS·DH/8 copies of 16 bytes spread evenly
// over the block's threads.
template <int ROWS, int DH>
__device__ __forceinline__ void load_tile_async(unsigned short* tile, const unsigned short* source, int row0, int live_rows, int dim, long long column0)
{
    constexpr int kChunks = DH / 8;
    constexpr int kLD = DH + kPad;
    static_assert(ROWS * kChunks % kThreads == 0, "every thread copies the same number of chunks");
    WAN_UNROLL
    for (int j = 0; j < ROWS * kChunks / kThreads; j++)
    {
        int i = static_cast<int>(threadIdx.x) + j * kThreads;
        int r = i / kChunks, c = i % kChunks;
        bool live = row0 + r < live_rows;
        const unsigned short* from = live ? source + static_cast<long long>(row0 + r) * dim + column0 + 8 * c : source;
        cp_async_16(tile + r * kLD + 8 * c, from, live ? 16 : 0);
    }
}

template <class T, int DH>
__device__ __forceinline__ void flash_attention_impl(const T* q, const T* k, const T* v, const T* __restrict__ bias, T* o,
                                                     int lq, int lk, int valid_keys, int dim, float scale, int frame_tokens, int frame_radius)
{
    static_assert(DH % 16 == 0 && DH <= 128, "head_dim must be a multiple of 16, at most 128");
    constexpr int LD = DH + kPad;
    constexpr int kStage = kKeys * LD;
    constexpr bool kQInRegisters = DH <= 64; // 4·DH/16·kMTiles registers: at most 32
    // Keys per softmax step: the S fragments of 64 keys (64 floats per lane) next to a head_dim-128
    // accumulator (128 floats) spill past 255 registers, so head_dim > 96 scores a tile in two halves.
    constexpr int kSubKeys = DH > 96 ? 32 : kKeys;
    WAN_DYNAMIC_SHARED(unsigned short, smem);
    unsigned short* qs = smem;                       // [kBlockRows][LD]
    unsigned short* ks = qs + kBlockRows * LD;       // [2][kKeys][LD]
    unsigned short* vs = ks + 2 * kStage;            // [2][kKeys][LD], row-major like V itself

    const int head = blockIdx.y;
    const int q0 = blockIdx.x * kBlockRows;
    const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, g = lane >> 2, t = lane & 3;
    const int warp_row0 = warp * 16 * kMTiles;
    const long long column0 = static_cast<long long>(head) * DH;
    const unsigned short* kbits = reinterpret_cast<const unsigned short*>(k);
    const unsigned short* vbits = reinterpret_cast<const unsigned short*>(v);
    const bool windowed = frame_radius >= 0;
    // Keys [key_begin, key_end) hold every key some row of this block may see.
    const int key_begin = windowed ? max(0, q0 / frame_tokens - frame_radius) * frame_tokens : 0;
    const int key_end = windowed ? min(valid_keys, (min(q0 + kBlockRows, lq) - 1) / frame_tokens * frame_tokens + (frame_radius + 1) * frame_tokens)
                                 : valid_keys;
    const int first_tile = key_begin / kKeys;
    const int tiles = (key_end + kKeys - 1) / kKeys;

    load_tile_async<kBlockRows, DH>(qs, reinterpret_cast<const unsigned short*>(q), q0, lq, dim, column0);
    load_tile_async<kKeys, DH>(ks, kbits, first_tile * kKeys, key_end, dim, column0);
    load_tile_async<kKeys, DH>(vs, vbits, first_tile * kKeys, key_end, dim, column0);
    cp_async_commit();

    // ldmatrix.x4 lane addresses: Q/K matrices i = lane/8 cover (rows +8·(i%2), columns +8·(i/2)) for
    // A fragments and (rows +8·(i/2), columns +8·(i%2)) for K's B fragments of two n8 tiles.
    const int a_row = lane % 8 + 8 * ((lane / 8) % 2), a_column = 8 * (lane / 16);
    const int b_row = lane % 8 + 8 * (lane / 16), b_column = 8 * ((lane / 8) % 2);
    unsigned q_registers[kQInRegisters ? kMTiles : 1][kQInRegisters ? DH / 16 : 1][4];

    float acc[kMTiles][DH / 8][4];
    float row_max[kMTiles][2], row_sum[kMTiles][2]; // row_sum: this lane's part; the quad adds up at the end
    WAN_UNROLL
    for (int m = 0; m < kMTiles; m++)
    {
        WAN_UNROLL
        for (int n = 0; n < DH / 8; n++)
        {
            acc[m][n][0] = acc[m][n][1] = acc[m][n][2] = acc[m][n][3] = 0.0f;
        }
        row_max[m][0] = row_max[m][1] = negative_infinity();
        row_sum[m][0] = row_sum[m][1] = 0.0f;
    }
    const float scale_log2 = scale * kLog2e;

    for (int tile = first_tile; tile < tiles; tile++)
    {
        cp_async_wait<0>();
        __syncthreads(); // tile `tile` landed for every thread, and every warp is done with tile − 1
        const int buffer = (tile - first_tile) & 1;
        if (tile + 1 < tiles)
        {
            const int stage = buffer ^ 1;
            load_tile_async<kKeys, DH>(ks + stage * kStage, kbits, (tile + 1) * kKeys, key_end, dim, column0);
            load_tile_async<kKeys, DH>(vs + stage * kStage, vbits, (tile + 1) * kKeys, key_end, dim, column0);
            cp_async_commit();
        }
        if (kQInRegisters && tile == first_tile)
        {
            WAN_UNROLL
            for (int m = 0; m < kMTiles; m++)
            {
                WAN_UNROLL
                for (int kk = 0; kk < DH / 16; kk++)
                {
                    ldmatrix_x4(q_registers[m][kQInRegisters ? kk : 0], qs + (warp_row0 + 16 * m + a_row) * LD + kk * 16 + a_column);
                }
            }
        }
        WAN_NO_UNROLL // unrolled, the two halves' live ranges overlap and spill at head_dim 128
        for (int sub = 0; sub < kKeys / kSubKeys; sub++)
        {
            const unsigned short* kt = ks + buffer * kStage + sub * kSubKeys * LD;
            const unsigned short* vt = vs + buffer * kStage + sub * kSubKeys * LD;
            const int k0 = tile * kKeys + sub * kSubKeys;
            if (k0 >= key_end)
            {
                break; // the second half of the last tile holds no live key
            }

            float s[kMTiles][kSubKeys / 8][4];
            WAN_UNROLL
            for (int m = 0; m < kMTiles; m++)
            {
                WAN_UNROLL
                for (int n = 0; n < kSubKeys / 8; n++)
                {
                    s[m][n][0] = s[m][n][1] = s[m][n][2] = s[m][n][3] = 0.0f;
                }
            }
            WAN_UNROLL
            for (int kk = 0; kk < DH / 16; kk++)
            {
                unsigned qa[kMTiles][4];
                WAN_UNROLL
                for (int m = 0; m < kMTiles; m++)
                {
                    if constexpr (kQInRegisters)
                    {
                        qa[m][0] = q_registers[m][kk][0];
                        qa[m][1] = q_registers[m][kk][1];
                        qa[m][2] = q_registers[m][kk][2];
                        qa[m][3] = q_registers[m][kk][3];
                    }
                    else
                    {
                        ldmatrix_x4(qa[m], qs + (warp_row0 + 16 * m + a_row) * LD + kk * 16 + a_column);
                    }
                }
                WAN_UNROLL
                for (int n = 0; n < kSubKeys / 8; n += 2)
                {
                    unsigned kb[4];
                    ldmatrix_x4(kb, kt + (n * 8 + b_row) * LD + kk * 16 + b_column);
                    WAN_UNROLL
                    for (int m = 0; m < kMTiles; m++)
                    {
                        mma_16bit(s[m][n], qa[m], kb, T{});
                        mma_16bit(s[m][n + 1], qa[m], kb + 2, T{});
                    }
                }
            }

            const bool partial = k0 + kSubKeys > key_end;
            WAN_UNROLL
            for (int m = 0; m < kMTiles; m++)
            {
                const int rows[2] = {q0 + warp_row0 + 16 * m + g, q0 + warp_row0 + 16 * m + g + 8};
                float tile_max[2] = {negative_infinity(), negative_infinity()};
                WAN_UNROLL
                for (int n = 0; n < kSubKeys / 8; n++)
                {
                    WAN_UNROLL
                    for (int i = 0; i < 4; i++)
                    {
                        const int key = k0 + n * 8 + 2 * t + (i & 1), r = i >> 1;
                        float value = s[m][n][i] * scale_log2;
                        if ((partial && key >= key_end) || (windowed && abs(key / frame_tokens - rows[r] / frame_tokens) > frame_radius))
                        {
                            value = negative_infinity();
                        }
                        else if (bias != nullptr && rows[r] < lq)
                        {
                            value = fmaf(to_float(bias[(static_cast<long long>(head) * lq + rows[r]) * lk + key]), kLog2e, value);
                        }
                        s[m][n][i] = value;
                        tile_max[r] = fmaxf(tile_max[r], value);
                    }
                }
                float correction[2];
                WAN_UNROLL
                for (int r = 0; r < 2; r++)
                {
                    // Finite without a window (key k0 < valid_keys is live); with one, a row may not have met a live key yet:
                    // its exponentials are then taken against 0, which gives 0 for every −∞ score and correction.
                    float new_max = fmaxf(row_max[m][r], quad_max(tile_max[r]));
                    const float reference = new_max == negative_infinity() ? 0.0f : new_max;
                    correction[r] = fast_exp2(row_max[m][r] - reference);
                    row_max[m][r] = new_max;
                    row_sum[m][r] *= correction[r];
                }
                WAN_UNROLL
                for (int n = 0; n < kSubKeys / 8; n++)
                {
                    WAN_UNROLL
                    for (int i = 0; i < 4; i++)
                    {
                        const float reference = row_max[m][i >> 1] == negative_infinity() ? 0.0f : row_max[m][i >> 1];
                        s[m][n][i] = fast_exp2(s[m][n][i] - reference);
                        row_sum[m][i >> 1] += s[m][n][i];
                    }
                }
                WAN_UNROLL
                for (int n = 0; n < DH / 8; n++)
                {
                    acc[m][n][0] *= correction[0];
                    acc[m][n][1] *= correction[0];
                    acc[m][n][2] *= correction[1];
                    acc[m][n][3] *= correction[1];
                }
            }

            WAN_UNROLL
            for (int kk = 0; kk < kSubKeys / 16; kk++)
            {
                unsigned pa[kMTiles][4];
                WAN_UNROLL
                for (int m = 0; m < kMTiles; m++)
                {
                    pa[m][0] = pack_pair<T>(s[m][2 * kk][0], s[m][2 * kk][1]);
                    pa[m][1] = pack_pair<T>(s[m][2 * kk][2], s[m][2 * kk][3]);
                    pa[m][2] = pack_pair<T>(s[m][2 * kk + 1][0], s[m][2 * kk + 1][1]);
                    pa[m][3] = pack_pair<T>(s[m][2 * kk + 1][2], s[m][2 * kk + 1][3]);
                }
                WAN_UNROLL
                for (int n = 0; n < DH / 8; n += 2)
                {
                    unsigned vb[4];
                    ldmatrix_x4_trans(vb, vt + (kk * 16 + a_row) * LD + n * 8 + a_column);
                    WAN_UNROLL
                    for (int m = 0; m < kMTiles; m++)
                    {
                        mma_16bit(acc[m][n], pa[m], vb, T{});
                        mma_16bit(acc[m][n + 1], pa[m], vb + 2, T{});
                    }
                }
            }
        }
    }

    WAN_UNROLL
    for (int m = 0; m < kMTiles; m++)
    {
        WAN_UNROLL
        for (int r = 0; r < 2; r++)
        {
            const int row = q0 + warp_row0 + 16 * m + g + 8 * r;
            const float inv = 1.0f / quad_sum(row_sum[m][r]);
            if (row >= lq)
            {
                continue;
            }
            unsigned* out = reinterpret_cast<unsigned*>(o + static_cast<long long>(row) * dim + column0 + 2 * t);
            WAN_UNROLL
            for (int n = 0; n < DH / 8; n++)
            {
                out[4 * n] = pack_pair<T>(acc[m][n][2 * r] * inv, acc[m][n][2 * r + 1] * inv);
            }
        }
    }
}

__device__ __forceinline__ void attention_f32_impl(const float* q, const float* k, const float* v, const float* __restrict__ bias, float* o,
                                                   int lq, int lk, int valid_keys, int dim, int head_dim, float scale, int frame_tokens,
                                                   int frame_radius)
{
    __shared__ float q_rows[kF32Warps][kF32MaxHeadDim];
    __shared__ float weights[kF32Warps][32];
    const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    const int row = blockIdx.x * kF32Warps + warp, head = blockIdx.y;
    if (row >= lq)
    {
        return; // warps are independent: no block barrier below
    }
    const long long column0 = static_cast<long long>(head) * head_dim;
    float* qr = q_rows[warp];
    for (int c = lane; c < head_dim; c += 32)
    {
        qr[c] = q[static_cast<long long>(row) * dim + column0 + c];
    }
    __syncwarp();

    constexpr int kColumns = kF32MaxHeadDim / 32;
    float acc[kColumns];
    for (int i = 0; i < kColumns; i++)
    {
        acc[i] = 0.0f;
    }
    float row_max = negative_infinity(), row_sum = 0.0f;
    const int frame = frame_radius >= 0 ? row / frame_tokens : 0;
    const int key_begin = frame_radius >= 0 ? max(0, frame - frame_radius) * frame_tokens : 0;
    const int key_end = frame_radius >= 0 ? min(valid_keys, (frame + frame_radius + 1) * frame_tokens) : valid_keys;
    for (int k0 = key_begin; k0 < key_end; k0 += 32)
    {
        int key = k0 + lane;
        float score = negative_infinity();
        if (key < key_end)
        {
            const float* kr = k + static_cast<long long>(key) * dim + column0;
            float dot = 0.0f;
            for (int c = 0; c < head_dim; c++)
            {
                dot = fmaf(qr[c], kr[c], dot);
            }
            score = dot * scale;
            if (bias != nullptr)
            {
                score += bias[(static_cast<long long>(head) * lq + row) * lk + key];
            }
        }
        float m = fmaxf(row_max, warp_max(score)); // finite: key k0 < key_end is live
        float e = key < key_end ? expf(score - m) : 0.0f;
        float correction = expf(row_max - m);
        row_sum = row_sum * correction + warp_sum(e);
        row_max = m;
        weights[warp][lane] = e;
        __syncwarp();
        int live = min(32, key_end - k0);
        for (int i = 0; i < kColumns; i++)
        {
            int c = lane + 32 * i;
            if (c < head_dim)
            {
                float sum = acc[i] * correction;
                for (int j = 0; j < live; j++)
                {
                    sum = fmaf(weights[warp][j], v[static_cast<long long>(k0 + j) * dim + column0 + c], sum);
                }
                acc[i] = sum;
            }
        }
        __syncwarp(); // weights[] is rewritten by the next chunk
    }
    float inv = 1.0f / row_sum;
    for (int i = 0; i < kColumns; i++)
    {
        int c = lane + 32 * i;
        if (c < head_dim)
        {
            o[static_cast<long long>(row) * dim + column0 + c] = acc[i] * inv;
        }
    }
}

#define WAN_ATTENTION_PREPARE(T, suffix)                                                                                         \
    extern "C" __global__ void attention_prepare_##suffix(const T* x, const T* w, const float* cos_table, const float* sin_table, T* y, \
                                                          int rows, int dim, int head_dim, float eps)                            \
    {                                                                                                                            \
        if (static_cast<int>(blockIdx.x) < rows) attention_prepare_impl<T>(x, w, cos_table, sin_table, y, dim, head_dim, eps);   \
    }                                                                                                                            \
    WAN_REGISTER_KERNEL(attention_prepare_##suffix)

WAN_ATTENTION_PREPARE(float, f32);
WAN_ATTENTION_PREPARE(wan_bf16, bf16);
WAN_ATTENTION_PREPARE(wan_f16, f16);

#define WAN_FLASH_ATTENTION(T, suffix, DH)                                                                                        \
    extern "C" __global__ void __launch_bounds__(kThreads) flash_attention_##suffix##_d##DH(const T* q, const T* k, const T* v, const T* bias, T* o, int lq,  \
                                                                int lk, int valid_keys, int dim, float scale, int frame_tokens, int frame_radius) \
    {                                                                                                                             \
        flash_attention_impl<T, DH>(q, k, v, bias, o, lq, lk, valid_keys, dim, scale, frame_tokens, frame_radius);                \
    }                                                                                                                             \
    WAN_REGISTER_KERNEL(flash_attention_##suffix##_d##DH)

#define WAN_FLASH_ATTENTION_HEAD_DIMS(T, suffix) \
    WAN_FLASH_ATTENTION(T, suffix, 16);          \
    WAN_FLASH_ATTENTION(T, suffix, 32);          \
    WAN_FLASH_ATTENTION(T, suffix, 48);          \
    WAN_FLASH_ATTENTION(T, suffix, 64);          \
    WAN_FLASH_ATTENTION(T, suffix, 80);          \
    WAN_FLASH_ATTENTION(T, suffix, 96);          \
    WAN_FLASH_ATTENTION(T, suffix, 112);         \
    WAN_FLASH_ATTENTION(T, suffix, 128)

WAN_FLASH_ATTENTION_HEAD_DIMS(wan_bf16, bf16);
WAN_FLASH_ATTENTION_HEAD_DIMS(wan_f16, f16);

extern "C" __global__ void attention_f32(const float* q, const float* k, const float* v, const float* bias, float* o, int lq, int lk,
                                         int valid_keys, int dim, int head_dim, float scale, int frame_tokens, int frame_radius)
{
    attention_f32_impl(q, k, v, bias, o, lq, lk, valid_keys, dim, head_dim, scale, frame_tokens, frame_radius);
}
WAN_REGISTER_KERNEL(attention_f32);
