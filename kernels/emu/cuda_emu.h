// CUDA emulation header: lets g++ compile the kernels of kernels/cuda/*.cu unchanged (as C++).
//
// Model: one OS thread runs one thread block at a time; every CUDA thread of the block is a
// Boost.Context fiber on that OS thread. __syncthreads and the warp collectives switch fibers
// cooperatively, so `__shared__` can be `static thread_local` (shared by the block's fibers, private
// to the OS thread). Blocks of a grid run on a small pool of OS threads. Built-in variables
// (threadIdx, ...) are thread_local values the scheduler sets before it resumes a fiber.
//
// NVRTC never sees this file: kernels/cuda/common.cuh includes it only when no CUDA compiler is
// compiling. Definitions here deliberately shadow nothing from <math.h>: CUDA-only names (rsqrtf,
// __expf, min/max on scalars, ...) are added, C library names are reused.
#pragma once

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <type_traits>
#include <utility>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline __attribute__((always_inline))
#define __shared__ static thread_local
#define __align__(n) __attribute__((aligned(n)))
#define __launch_bounds__(...)

struct uint3
{
    unsigned x, y, z;
};

struct dim3
{
    unsigned x = 1, y = 1, z = 1;
};

// CUDA's built-in vector types, with CUDA's alignment: a vector load through a misaligned pointer is
// undefined behaviour here as on a GPU, and the UBSan build of the emulator reports it.
struct __attribute__((aligned(8))) float2
{
    float x, y;
};

struct __attribute__((aligned(16))) float4
{
    float x, y, z, w;
};

struct __attribute__((aligned(8))) uint2
{
    unsigned x, y;
};

struct __attribute__((aligned(16))) uint4
{
    unsigned x, y, z, w;
};

struct __attribute__((aligned(8))) int2
{
    int x, y;
};

struct __attribute__((aligned(16))) int4
{
    int x, y, z, w;
};

static inline float2 make_float2(float x, float y) { return {x, y}; }
static inline float4 make_float4(float x, float y, float z, float w) { return {x, y, z, w}; }
static inline uint2 make_uint2(unsigned x, unsigned y) { return {x, y}; }
static inline uint4 make_uint4(unsigned x, unsigned y, unsigned z, unsigned w) { return {x, y, z, w}; }
static inline int2 make_int2(int x, int y) { return {x, y}; }
static inline int4 make_int4(int x, int y, int z, int w) { return {x, y, z, w}; }

namespace cuda_emu
{
// The emulator's whole thread-local state, in ONE variable: every other thread-local byte of the
// library is a kernel's static `__shared__` array, which the scheduler poisons (0xFF) before every
// block. The built-in variables are set by the scheduler before it resumes a fiber (block values
// once per block); `worker` is the runtime's per-OS-thread state (cuda_emu.cpp).
// (Trivial members only, so kernels read it directly, without a TLS wrapper call.)
struct ThreadState
{
    uint3 thread_idx;
    uint3 block_idx;
    uint3 block_dim;
    uint3 grid_dim;
    void* worker;
};
extern thread_local ThreadState tls;

// Block barrier: returns when every thread of the block waits at the same barrier.
void sync_block(const char* file, int line);

enum class WarpOp : int
{
    Sync,
    ShflIdx,
    ShflUp,
    ShflDown,
    ShflXor,
    All,
    Any,
    Ballot,
};

// A warp collective over the lanes of `mask`: every lane of the mask must arrive with the same mask.
// Returns this lane's result (the shuffled value's bits, the vote, or the ballot).
uint64_t warp_collective(WarpOp op, unsigned mask, uint64_t value, int param, int width, const char* file, int line);

// Full-warp gather: each lane contributes `bytes` (<= 64) bytes; returns all 32 contributions,
// lane l's at offset 64 * l. Valid until this lane's next warp collective.
const unsigned char* warp_exchange(const void* payload, size_t bytes, const char* file, int line);

// Lanes of this thread's warp that have not exited.
unsigned active_mask();

// The block's dynamic shared memory (the launch's sharedMemBytes, filled with 0xFF before the block).
void* dynamic_shared();

// Whether [address, address + bytes) lies inside this block's shared memory: the launch's dynamic
// shared memory or the kernels' static `__shared__` arrays.
bool in_shared(const void* address, size_t bytes);

// ldmatrix.sync.aligned.m8n8.x{count}{.trans}.shared.b16 for the calling lane (a full-warp
// collective): lanes 8i..8i+7 give the row addresses of 8x8 matrix i (i < count, 16 bytes per row,
// each 16-byte aligned and inside shared memory, else the block fails naming the lane and the
// address). Without .trans register i of lane l gets row l/4, elements 2(l%4), 2(l%4)+1 of matrix i;
// with .trans it gets column l/4, rows 2(l%4) and 2(l%4)+1 (the fragment of the transposed matrix).
void ldmatrix(unsigned* registers, int count, bool trans, const void* row, const char* file, int line);

// cp.async.{ca,cg}.shared.global [shared], [global], bytes(, source_bytes): copies `bytes` (4, 8 or
// 16; .cg: 16) from global to shared memory, the last bytes - source_bytes of them zero-filled.
// Both addresses aligned to `bytes`; the destination in shared memory, the source outside it. The
// source is read at issue; the copy belongs to the calling thread's open group and lands in shared
// memory only at the cp_async_wait that completes its group (or when the thread exits). Until then
// the destination keeps its old contents (forward schedule) or reads 0xFF (every other schedule), so
// a read before the wait sees stale or poisoned data, never the copy.
void cp_async(void* shared, const void* global, int bytes, int source_bytes, bool cache_global, const char* file, int line);

// cp.async.commit_group: closes the calling thread's open group of copies.
void cp_async_commit();

// cp.async.wait_group N: completes the calling thread's committed groups except the newest N.
void cp_async_wait(int pending);

[[noreturn]] void trap(const char* file, int line);

// Kernel registry: launch(args) calls the kernel with the cuLaunchKernel argument array. The
// parameter sizes are kept too (what cuFuncGetParamInfo reports on a GPU): a captured launch copies
// its argument values by them so a graph replays with the values of capture time.
using Entry = void (*)(void** args);
bool register_kernel(const char* name, Entry entry, const unsigned* param_sizes, int param_count);

template <class... A>
struct ParamSizes
{
    static constexpr unsigned values[sizeof...(A) + 1] = {static_cast<unsigned>(sizeof(A))..., 0u};
};

template <class... A>
constexpr const unsigned* param_sizes(void (*)(A...)) { return ParamSizes<A...>::values; }

template <class... A>
constexpr int param_count(void (*)(A...)) { return static_cast<int>(sizeof...(A)); }

template <class... A, size_t... I>
inline void invoke(void (*kernel)(A...), void** args, std::index_sequence<I...>)
{
    kernel(*static_cast<std::remove_cv_t<std::remove_reference_t<A>>*>(args[I])...);
}

template <class... A>
inline void invoke(void (*kernel)(A...), void** args)
{
    invoke(kernel, args, std::index_sequence_for<A...>{});
}

template <class T>
inline uint64_t to_bits(T v)
{
    static_assert(sizeof(T) <= 8, "warp shuffles move at most 8 bytes");
    uint64_t bits = 0;
    memcpy(&bits, &v, sizeof(T));
    return bits;
}

template <class T>
inline T from_bits(uint64_t bits)
{
    T v;
    memcpy(&v, &bits, sizeof(T));
    return v;
}

template <class T>
inline T shuffle(WarpOp op, unsigned mask, T v, int param, int width, const char* file, int line)
{
    return from_bits<T>(warp_collective(op, mask, to_bits(v), param, width, file, line));
}

template <class T>
inline T atomic_update(T* address, T (*update)(T, T), T operand)
{
    static_assert(sizeof(T) == 4 || sizeof(T) == 8, "atomics on 4- or 8-byte values");
    using Bits = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
    Bits* p = reinterpret_cast<Bits*>(address);
    Bits expected = __atomic_load_n(p, __ATOMIC_RELAXED);
    for (;;)
    {
        T old;
        memcpy(&old, &expected, sizeof(T));
        T next = update(old, operand);
        Bits desired;
        memcpy(&desired, &next, sizeof(T));
        if (__atomic_compare_exchange_n(p, &expected, desired, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
        {
            return old;
        }
    }
}
} // namespace cuda_emu

#define threadIdx (::cuda_emu::tls.thread_idx)
#define blockIdx (::cuda_emu::tls.block_idx)
#define blockDim (::cuda_emu::tls.block_dim)
#define gridDim (::cuda_emu::tls.grid_dim)
static constexpr int warpSize = 32;

#define __syncthreads() ::cuda_emu::sync_block(__FILE__, __LINE__)
#define __syncwarp(...) ::cuda_emu::warp_collective(::cuda_emu::WarpOp::Sync, __VA_ARGS__ + 0 ? __VA_ARGS__ + 0 : 0xffffffffu, 0, 0, 32, __FILE__, __LINE__)
#define __shfl_sync(mask, v, lane, ...) ::cuda_emu::shuffle(::cuda_emu::WarpOp::ShflIdx, mask, v, lane, (__VA_ARGS__ + 0) ? (__VA_ARGS__ + 0) : 32, __FILE__, __LINE__)
#define __shfl_up_sync(mask, v, delta, ...) ::cuda_emu::shuffle(::cuda_emu::WarpOp::ShflUp, mask, v, delta, (__VA_ARGS__ + 0) ? (__VA_ARGS__ + 0) : 32, __FILE__, __LINE__)
#define __shfl_down_sync(mask, v, delta, ...) ::cuda_emu::shuffle(::cuda_emu::WarpOp::ShflDown, mask, v, delta, (__VA_ARGS__ + 0) ? (__VA_ARGS__ + 0) : 32, __FILE__, __LINE__)
#define __shfl_xor_sync(mask, v, lanes, ...) ::cuda_emu::shuffle(::cuda_emu::WarpOp::ShflXor, mask, v, lanes, (__VA_ARGS__ + 0) ? (__VA_ARGS__ + 0) : 32, __FILE__, __LINE__)
#define __all_sync(mask, pred) ((int)::cuda_emu::warp_collective(::cuda_emu::WarpOp::All, mask, (pred) ? 1 : 0, 0, 32, __FILE__, __LINE__))
#define __any_sync(mask, pred) ((int)::cuda_emu::warp_collective(::cuda_emu::WarpOp::Any, mask, (pred) ? 1 : 0, 0, 32, __FILE__, __LINE__))
#define __ballot_sync(mask, pred) ((unsigned)::cuda_emu::warp_collective(::cuda_emu::WarpOp::Ballot, mask, (pred) ? 1 : 0, 0, 32, __FILE__, __LINE__))
#define __activemask() ::cuda_emu::active_mask()
#define __trap() ::cuda_emu::trap(__FILE__, __LINE__)

// Registers an extern "C" kernel under its own name (common.cuh defines it empty under NVRTC).
#define WAN_REGISTER_KERNEL(name) \
    static const bool wan_registered_##name = ::cuda_emu::register_kernel(#name, [](void** args) { ::cuda_emu::invoke(&name, args); }, \
                                                                         ::cuda_emu::param_sizes(&name), ::cuda_emu::param_count(&name))

// Dynamic shared memory (NVRTC: extern __shared__ array of the launch's sharedMemBytes).
#define WAN_DYNAMIC_SHARED(type, name) type* name = static_cast<type*>(::cuda_emu::dynamic_shared())

// ---- math and bit intrinsics the kernels use (fp32 math: CUDA's fast variants map to libm) ----
static inline float rsqrtf(float x) { return 1.0f / sqrtf(x); }
// glibc's <math.h> declares __expf & co. itself (its internal names): map them as macros instead.
#define __expf expf
#define __logf logf
#define __sinf sinf
#define __cosf cosf
#define __tanhf tanhf
static inline float __fdividef(float a, float b) { return a / b; }
static inline float __frcp_rn(float x) { return 1.0f / x; }
static inline float __fmaf_rn(float a, float b, float c) { return fmaf(a, b, c); }
static inline float __saturatef(float x) { return x < 0.0f ? 0.0f : (x > 1.0f ? 1.0f : x); }
static inline unsigned __float_as_uint(float x) { return ::cuda_emu::from_bits<unsigned>(::cuda_emu::to_bits(x)); }
static inline float __uint_as_float(unsigned x) { return ::cuda_emu::from_bits<float>(::cuda_emu::to_bits(x)); }
static inline int __float_as_int(float x) { return ::cuda_emu::from_bits<int>(::cuda_emu::to_bits(x)); }
static inline float __int_as_float(int x) { return ::cuda_emu::from_bits<float>(::cuda_emu::to_bits(x)); }
static inline int __popc(unsigned x) { return __builtin_popcount(x); }
static inline int __ffs(int x) { return __builtin_ffs(x); }
static inline int __clz(int x) { return x == 0 ? 32 : __builtin_clz(static_cast<unsigned>(x)); }
template <class T>
static inline T __ldg(const T* p) { return *p; }

static inline int min(int a, int b) { return a < b ? a : b; }
static inline int max(int a, int b) { return a > b ? a : b; }
static inline unsigned min(unsigned a, unsigned b) { return a < b ? a : b; }
static inline unsigned max(unsigned a, unsigned b) { return a > b ? a : b; }
static inline long long min(long long a, long long b) { return a < b ? a : b; }
static inline long long max(long long a, long long b) { return a > b ? a : b; }
static inline float min(float a, float b) { return fminf(a, b); }
static inline float max(float a, float b) { return fmaxf(a, b); }

// ---- atomics (blocks run on several OS threads, so these are real atomics) ----
static inline float atomicAdd(float* p, float v) { return ::cuda_emu::atomic_update<float>(p, [](float a, float b) { return a + b; }, v); }
static inline int atomicAdd(int* p, int v) { return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST); }
static inline unsigned atomicAdd(unsigned* p, unsigned v) { return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST); }
static inline unsigned long long atomicAdd(unsigned long long* p, unsigned long long v) { return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST); }
static inline int atomicMax(int* p, int v) { return ::cuda_emu::atomic_update<int>(p, [](int a, int b) { return a > b ? a : b; }, v); }
static inline unsigned atomicMax(unsigned* p, unsigned v) { return ::cuda_emu::atomic_update<unsigned>(p, [](unsigned a, unsigned b) { return a > b ? a : b; }, v); }
static inline int atomicMin(int* p, int v) { return ::cuda_emu::atomic_update<int>(p, [](int a, int b) { return a < b ? a : b; }, v); }
static inline unsigned atomicMin(unsigned* p, unsigned v) { return ::cuda_emu::atomic_update<unsigned>(p, [](unsigned a, unsigned b) { return a < b ? a : b; }, v); }
static inline int atomicExch(int* p, int v) { return __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST); }
static inline unsigned atomicExch(unsigned* p, unsigned v) { return __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST); }
static inline float atomicExch(float* p, float v) { return ::cuda_emu::atomic_update<float>(p, [](float, float b) { return b; }, v); }
template <class T>
static inline T atomicCAS(T* p, T compare, T value)
{
    static_assert(std::is_integral_v<T>, "atomicCAS on integers");
    __atomic_compare_exchange_n(p, &compare, value, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    return compare;
}
