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
// flash_attention_{bf16,f16}_d{16,...,128}(q, k, v, bias, o, lq, lk, valid_keys, dim, scale):
//   tensor cores (mma.sync m16n8k16, 16-bit operands, fp32 accumulation), flash-attention-2 tiling.
//   Launch: grid (⌈Lq/64⌉, heads), block 128 threads = 4 warps; warp w owns query rows
//   [64·blockIdx.x + 16w, +16) of head blockIdx.y and keeps their Q fragments (head_dim/16 × 4
//   registers), the output accumulator (head_dim/2 floats per lane) and the running max/sum of its
//   two rows (g and g+8 of the fragment layout) in registers. Key tiles of 32 keys: the block loads
//   K [32, head_dim] and Vᵀ [head_dim, 32] into shared memory, each warp computes S = Q·Kᵀ (16×32),
//   rescales its accumulator by exp(m_old − m_new), turns S into P in registers (the C fragment of
//   S is the A fragment of P·V) and adds P·V. Only tiles below valid_keys are visited; keys past
//   valid_keys inside the last tile get −∞.
//   Dynamic shared memory (16-bit elements, rows padded by 8 elements = 16 bytes so ldmatrix rows
//   stay 16-byte aligned and consecutive rows start in different banks):
//     Q tile 64 × (head_dim + 8) + K tile 32 × (head_dim + 8) + Vᵀ tile head_dim × (32 + 8)
//     = 2·(96·(head_dim + 8) + 40·head_dim) bytes: 36,352 B at head_dim 128 (under the 48 KiB that
//     needs no opt-in; Wan.Kernels.Ops.AttentionOps computes the same number).
//
// attention_f32(q, k, v, bias, o, lq, lk, valid_keys, dim, head_dim, scale): the fp32 path without
//   tensor cores (exact reference numerics, not a fast path). Launch: grid (⌈Lq/4⌉, heads), block
//   128 threads; one warp per query row, head_dim ≤ 256. Per chunk of 32 keys each lane scores one
//   key against the row's q (staged in shared memory), the warp updates max and sum with shuffles,
//   and each lane accumulates its columns (lane, lane + 32, ...) of P·V.
#include "mma.cuh"

namespace
{
constexpr int kRows = 64;      // query rows per block of the tensor-core kernel
constexpr int kWarpRows = 16;  // query rows per warp (the M of m16n8k16)
constexpr int kKeys = 32;      // keys per tile
constexpr int kPad = 8;        // 16-bit elements of padding per shared-memory row
constexpr int kF32Warps = 4;   // query rows per block of the fp32 kernel
constexpr int kF32MaxHeadDim = 256;
} // namespace

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

// Two adjacent 16-bit elements (4-byte aligned: dim, head offsets and columns are even).
__device__ __forceinline__ unsigned load_pair(const unsigned short* p) { return *reinterpret_cast<const unsigned*>(p); }

template <class T, int DH>
__device__ __forceinline__ void flash_attention_impl(const T* q, const T* k, const T* v, const T* __restrict__ bias, T* o,
                                                     int lq, int lk, int valid_keys, int dim, float scale)
{
    static_assert(DH % 16 == 0 && DH <= 128, "head_dim must be a multiple of 16, at most 128");
    constexpr int LD = DH + kPad;
    constexpr int LDV = kKeys + kPad;
    WAN_DYNAMIC_SHARED(unsigned short, smem);
    unsigned short* qs = smem;             // [kRows][LD]
    unsigned short* ks = qs + kRows * LD;  // [kKeys][LD]
    unsigned short* vt = ks + kKeys * LD;  // [DH][LDV]: V transposed, so P·V's B fragments are pairs

    const int head = blockIdx.y;
    const int q0 = blockIdx.x * kRows;
    const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, g = lane >> 2, t = lane & 3;
    const long long column0 = static_cast<long long>(head) * DH;
    const unsigned short* qbits = reinterpret_cast<const unsigned short*>(q);
    const unsigned short* kbits = reinterpret_cast<const unsigned short*>(k);
    const unsigned short* vbits = reinterpret_cast<const unsigned short*>(v);

    for (int i = threadIdx.x; i < kRows * DH / 2; i += blockDim.x)
    {
        int r = i / (DH / 2), c = 2 * (i % (DH / 2));
        unsigned pair = q0 + r < lq ? load_pair(qbits + static_cast<long long>(q0 + r) * dim + column0 + c) : 0u;
        *reinterpret_cast<unsigned*>(qs + r * LD + c) = pair;
    }
    __syncthreads();
    unsigned qa[DH / 16][4];
    for (int kk = 0; kk < DH / 16; kk++)
    {
        int row = warp * kWarpRows + lane % 8 + 8 * ((lane / 8) % 2);
        ldmatrix_x4(qa[kk], qs + row * LD + kk * 16 + 8 * (lane / 16));
    }

    float acc[DH / 8][4];
    for (int n = 0; n < DH / 8; n++)
    {
        acc[n][0] = acc[n][1] = acc[n][2] = acc[n][3] = 0.0f;
    }
    float row_max[2] = {negative_infinity(), negative_infinity()};
    float row_sum[2] = {0.0f, 0.0f};
    const int my_rows[2] = {q0 + warp * kWarpRows + g, q0 + warp * kWarpRows + g + 8};

    for (int k0 = 0; k0 < valid_keys; k0 += kKeys)
    {
        __syncthreads(); // every warp is done with the previous K/V tile
        for (int i = threadIdx.x; i < kKeys * DH / 2; i += blockDim.x)
        {
            int r = i / (DH / 2), c = 2 * (i % (DH / 2));
            bool live = k0 + r < valid_keys;
            long long at = static_cast<long long>(k0 + r) * dim + column0 + c;
            *reinterpret_cast<unsigned*>(ks + r * LD + c) = live ? load_pair(kbits + at) : 0u;
            unsigned pair = live ? load_pair(vbits + at) : 0u;
            vt[c * LDV + r] = static_cast<unsigned short>(pair & 0xFFFFu);
            vt[(c + 1) * LDV + r] = static_cast<unsigned short>(pair >> 16);
        }
        __syncthreads();

        float s[kKeys / 8][4];
        for (int n = 0; n < kKeys / 8; n++)
        {
            s[n][0] = s[n][1] = s[n][2] = s[n][3] = 0.0f;
            for (int kk = 0; kk < DH / 16; kk++)
            {
                const unsigned short* key_row = ks + (n * 8 + g) * LD + kk * 16 + 2 * t;
                unsigned b[2] = {load_pair(key_row), load_pair(key_row + 8)};
                mma_16bit(s[n], qa[kk], b, T{});
            }
        }

        float tile_max[2] = {negative_infinity(), negative_infinity()};
        for (int n = 0; n < kKeys / 8; n++)
        {
            for (int i = 0; i < 4; i++)
            {
                int key = k0 + n * 8 + 2 * t + (i & 1), r = i >> 1;
                float value = s[n][i] * scale;
                if (key >= valid_keys)
                {
                    value = negative_infinity();
                }
                else if (bias != nullptr && my_rows[r] < lq)
                {
                    value += to_float(bias[(static_cast<long long>(head) * lq + my_rows[r]) * lk + key]);
                }
                s[n][i] = value;
                tile_max[r] = fmaxf(tile_max[r], value);
            }
        }
        float correction[2], tile_sum[2] = {0.0f, 0.0f};
        for (int r = 0; r < 2; r++)
        {
            float m = fmaxf(row_max[r], quad_max(tile_max[r])); // finite: key k0 < valid_keys is live
            correction[r] = expf(row_max[r] - m);
            row_max[r] = m;
        }
        for (int n = 0; n < kKeys / 8; n++)
        {
            for (int i = 0; i < 4; i++)
            {
                s[n][i] = expf(s[n][i] - row_max[i >> 1]);
                tile_sum[i >> 1] += s[n][i];
            }
        }
        for (int r = 0; r < 2; r++)
        {
            row_sum[r] = row_sum[r] * correction[r] + quad_sum(tile_sum[r]);
        }
        for (int n = 0; n < DH / 8; n++)
        {
            acc[n][0] *= correction[0];
            acc[n][1] *= correction[0];
            acc[n][2] *= correction[1];
            acc[n][3] *= correction[1];
        }

        for (int kk = 0; kk < kKeys / 16; kk++)
        {
            unsigned pa[4] = {pack_pair<T>(s[2 * kk][0], s[2 * kk][1]), pack_pair<T>(s[2 * kk][2], s[2 * kk][3]),
                              pack_pair<T>(s[2 * kk + 1][0], s[2 * kk + 1][1]), pack_pair<T>(s[2 * kk + 1][2], s[2 * kk + 1][3])};
            for (int n = 0; n < DH / 8; n++)
            {
                const unsigned short* value_row = vt + (n * 8 + g) * LDV + kk * 16 + 2 * t;
                unsigned b[2] = {load_pair(value_row), load_pair(value_row + 8)};
                mma_16bit(acc[n], pa, b, T{});
            }
        }
    }

    for (int r = 0; r < 2; r++)
    {
        if (my_rows[r] >= lq)
        {
            continue;
        }
        float inv = 1.0f / row_sum[r];
        T* out = o + static_cast<long long>(my_rows[r]) * dim + column0;
        for (int n = 0; n < DH / 8; n++)
        {
            out[n * 8 + 2 * t] = from_float<T>(acc[n][2 * r] * inv);
            out[n * 8 + 2 * t + 1] = from_float<T>(acc[n][2 * r + 1] * inv);
        }
    }
}

__device__ __forceinline__ void attention_f32_impl(const float* q, const float* k, const float* v, const float* __restrict__ bias, float* o,
                                                   int lq, int lk, int valid_keys, int dim, int head_dim, float scale)
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
    for (int k0 = 0; k0 < valid_keys; k0 += 32)
    {
        int key = k0 + lane;
        float score = negative_infinity();
        if (key < valid_keys)
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
        float m = fmaxf(row_max, warp_max(score)); // finite: key k0 < valid_keys is live
        float e = key < valid_keys ? expf(score - m) : 0.0f;
        float correction = expf(row_max - m);
        row_sum = row_sum * correction + warp_sum(e);
        row_max = m;
        weights[warp][lane] = e;
        __syncwarp();
        int live = min(32, valid_keys - k0);
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
    extern "C" __global__ void flash_attention_##suffix##_d##DH(const T* q, const T* k, const T* v, const T* bias, T* o, int lq,  \
                                                                int lk, int valid_keys, int dim, float scale)                    \
    {                                                                                                                             \
        flash_attention_impl<T, DH>(q, k, v, bias, o, lq, lk, valid_keys, dim, scale);                                            \
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
                                         int valid_keys, int dim, int head_dim, float scale)
{
    attention_f32_impl(q, k, v, bias, o, lq, lk, valid_keys, dim, head_dim, scale);
}
WAN_REGISTER_KERNEL(attention_f32);
