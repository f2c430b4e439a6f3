// The emulated device's runtime: kernel registry, launch entry point, the worker pool that runs a
// grid's blocks, and the fiber scheduler that runs one block's threads (see cuda_emu.h).
#include <sys/mman.h>
#include <unistd.h>

#include <boost/context/fiber.hpp>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

// After the system headers: the emulation macros (__shared__, ...) must not reach them.
#include "cuda_emu.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#define WAN_EMU_ASAN 1
#else
#define WAN_EMU_ASAN 0
#endif

namespace cuda_emu
{
thread_local uint3 thread_idx;
thread_local uint3 block_idx;
thread_local dim3 block_dim;
thread_local dim3 grid_dim;

namespace
{
constexpr size_t ExchangeBytes = 64;
constexpr size_t MaxDynamicShared = 227 * 1024;
constexpr size_t StackBytes = WAN_EMU_ASAN ? 1024 * 1024 : 256 * 1024;

// Thrown inside a fiber to unwind it when its block is abandoned.
struct BlockAborted
{
};

struct Registered
{
    Entry entry;
    std::vector<unsigned> param_sizes;
};

std::map<std::string, Registered>& registry()
{
    static std::map<std::string, Registered> kernels;
    return kernels;
}

// Fiber stacks with a guard page, kept per OS thread and reused by every block it runs.
class StackPool
{
public:
    ~StackPool()
    {
        for (void* base : free_)
        {
            munmap(base, StackBytes);
        }
    }

    boost::context::stack_context allocate()
    {
        void* base;
        if (free_.empty())
        {
            base = mmap(nullptr, StackBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
            if (base == MAP_FAILED)
            {
                throw std::bad_alloc();
            }
            mprotect(base, static_cast<size_t>(sysconf(_SC_PAGESIZE)), PROT_NONE);
        }
        else
        {
            base = free_.back();
            free_.pop_back();
        }
        boost::context::stack_context stack;
        stack.size = StackBytes;
        stack.sp = static_cast<char*>(base) + StackBytes;
        return stack;
    }

    void release(boost::context::stack_context& stack) { free_.push_back(static_cast<char*>(stack.sp) - stack.size); }

private:
    std::vector<void*> free_;
};

thread_local StackPool stack_pool;

// Hands out pooled stacks and tells the thread where its stack lies (ASan needs the bounds).
struct PooledStack
{
    void** bottom;

    boost::context::stack_context allocate()
    {
        boost::context::stack_context stack = stack_pool.allocate();
        *bottom = static_cast<char*>(stack.sp) - stack.size;
        return stack;
    }

    void deallocate(boost::context::stack_context& stack) noexcept { stack_pool.release(stack); }
};

enum class State
{
    Ready,
    AtBlockBarrier,
    AtWarpCollective,
    Exited,
};

struct Thread
{
    boost::context::fiber fiber; // this thread, while suspended
    boost::context::fiber sink;  // the scheduler, while this thread runs
    uint3 index{};
    State state = State::Ready;
    const char* file = nullptr;
    int line = 0;
    WarpOp op = WarpOp::Sync;
    unsigned mask = 0;
    uint64_t value = 0;
    int param = 0;
    int width = 32;
    uint64_t result = 0;
    bool exchanging = false;
    unsigned char payload[ExchangeBytes];
    void* stack_bottom = nullptr;
#if WAN_EMU_ASAN
    void* fake_stack = nullptr;
#endif
};

struct Block
{
    Entry entry = nullptr;
    void** args = nullptr;
    std::vector<Thread> threads;
    std::vector<unsigned char> exchange; // per warp: 32 lanes x ExchangeBytes
    bool aborting = false;
    std::string error;
};

// Per OS thread: the block being run, the running thread, and (ASan) the worker's own stack.
thread_local Block* current_block = nullptr;
thread_local Thread* current_thread = nullptr;
thread_local std::vector<unsigned char> shared_buffer;
#if WAN_EMU_ASAN
thread_local const void* worker_stack_bottom = nullptr;
thread_local size_t worker_stack_size = 0;
#endif

std::string where(const char* file, int line)
{
    if (file == nullptr)
    {
        return "?";
    }
    const char* slash = strrchr(file, '/');
    return std::string(slash ? slash + 1 : file) + ":" + std::to_string(line);
}

std::string describe(const Thread& t)
{
    switch (t.state)
    {
    case State::AtBlockBarrier:
        return "__syncthreads at " + where(t.file, t.line);
    case State::AtWarpCollective:
    {
        char mask[16];
        snprintf(mask, sizeof mask, "0x%08x", t.mask);
        return std::string("warp collective (mask ") + mask + ") at " + where(t.file, t.line);
    }
    case State::Exited:
        return "exited";
    default:
        return "running";
    }
}

std::string block_name()
{
    return "block (" + std::to_string(block_idx.x) + "," + std::to_string(block_idx.y) + "," + std::to_string(block_idx.z) + ")";
}

// Switches from the running fiber back to the scheduler; unwinds when the block is abandoned.
void yield_to_scheduler()
{
    Thread& self = *current_thread;
#if WAN_EMU_ASAN
    __sanitizer_start_switch_fiber(&self.fake_stack, worker_stack_bottom, worker_stack_size);
#endif
    self.sink = std::move(self.sink).resume();
#if WAN_EMU_ASAN
    __sanitizer_finish_switch_fiber(self.fake_stack, &worker_stack_bottom, &worker_stack_size);
#endif
    if (current_block->aborting)
    {
        throw BlockAborted{};
    }
}

void resume(Thread& t)
{
    current_thread = &t;
    thread_idx = t.index;
#if WAN_EMU_ASAN
    void* fake = nullptr;
    __sanitizer_start_switch_fiber(&fake, t.stack_bottom, StackBytes);
#endif
    t.fiber = std::move(t.fiber).resume();
#if WAN_EMU_ASAN
    __sanitizer_finish_switch_fiber(fake, nullptr, nullptr);
#endif
    current_thread = nullptr;
}

unsigned threads_per_block() { return block_dim.x * block_dim.y * block_dim.z; }

// Lanes of warp `warp` that exist in this block (a last partial warp has fewer).
unsigned existing_lanes(Block& b, unsigned warp)
{
    unsigned count = static_cast<unsigned>(b.threads.size()) - warp * 32;
    return count >= 32 ? 0xffffffffu : (1u << count) - 1;
}

// Completes the collective of the lanes in `requested` when all of them wait at one with that mask.
// Lanes past the end of the block (a last partial warp) do not exist and are left out.
bool try_complete_warp(Block& b, unsigned warp, unsigned requested)
{
    unsigned mask = requested & existing_lanes(b, warp);
    Thread* lanes = &b.threads[warp * 32];
    for (unsigned l = 0; l < 32; l++)
    {
        if ((mask >> l & 1) && (lanes[l].state != State::AtWarpCollective || lanes[l].mask != requested))
        {
            return false;
        }
    }
    unsigned char* gathered = &b.exchange[warp * 32 * ExchangeBytes];
    unsigned votes = 0;
    for (unsigned l = 0; l < 32; l++)
    {
        if (mask >> l & 1)
        {
            if (lanes[l].exchanging)
            {
                memcpy(gathered + l * ExchangeBytes, lanes[l].payload, ExchangeBytes);
            }
            votes |= (lanes[l].value != 0 ? 1u : 0u) << l;
        }
    }
    for (unsigned l = 0; l < 32; l++)
    {
        if (!(mask >> l & 1))
        {
            continue;
        }
        Thread& t = lanes[l];
        int width = t.width;
        int segment = static_cast<int>(l) & ~(width - 1);
        int src = static_cast<int>(l);
        switch (t.op)
        {
        case WarpOp::ShflIdx:
            src = segment + (t.param & (width - 1));
            break;
        case WarpOp::ShflUp:
            src = static_cast<int>(l) - t.param >= segment ? static_cast<int>(l) - t.param : static_cast<int>(l);
            break;
        case WarpOp::ShflDown:
            src = static_cast<int>(l) + t.param < segment + width ? static_cast<int>(l) + t.param : static_cast<int>(l);
            break;
        case WarpOp::ShflXor:
            src = (static_cast<int>(l) ^ t.param) < segment + width ? static_cast<int>(l) ^ t.param : static_cast<int>(l);
            break;
        default:
            break;
        }
        if (!(mask >> src & 1))
        {
            src = static_cast<int>(l); // reading a lane outside the mask is undefined in CUDA
        }
        switch (t.op)
        {
        case WarpOp::All:
            t.result = (votes & mask) == mask ? 1 : 0;
            break;
        case WarpOp::Any:
            t.result = (votes & mask) != 0 ? 1 : 0;
            break;
        case WarpOp::Ballot:
            t.result = votes & mask;
            break;
        default:
            t.result = lanes[src].value;
            break;
        }
        t.state = State::Ready;
    }
    return true;
}

uint64_t arrive_at_warp(WarpOp op, unsigned mask, uint64_t value, int param, int width, const char* file, int line)
{
    Block& b = *current_block;
    Thread& self = *current_thread;
    if (width <= 0 || width > 32 || (width & (width - 1)) != 0)
    {
        b.error = "warp shuffle width " + std::to_string(width) + " at " + where(file, line) + " is not a power of two <= 32";
        throw BlockAborted{};
    }
    self.state = State::AtWarpCollective;
    self.op = op;
    self.mask = mask;
    self.value = value;
    self.param = param;
    self.width = width;
    self.file = file;
    self.line = line;
    unsigned linear = static_cast<unsigned>(&self - b.threads.data());
    if (!(mask >> (linear & 31) & 1))
    {
        b.error = "warp collective at " + where(file, line) + ": calling lane " + std::to_string(linear & 31) + " is not in its own mask";
        throw BlockAborted{};
    }
    if (!try_complete_warp(b, linear / 32, mask))
    {
        yield_to_scheduler();
    }
    return self.result;
}

// Runs the threads of the current block to completion; sets b.error on a deadlock or a kernel error.
void run_block(Block& b)
{
    unsigned count = threads_per_block();
    b.threads.clear();
    b.threads.resize(count);
    b.exchange.assign(((count + 31) / 32) * 32 * ExchangeBytes, 0);
    b.aborting = false;
    for (unsigned i = 0; i < count; i++)
    {
        Thread& t = b.threads[i];
        t.index = {i % block_dim.x, (i / block_dim.x) % block_dim.y, i / (block_dim.x * block_dim.y)};
        PooledStack allocator{&t.stack_bottom};
        t.fiber = boost::context::fiber(std::allocator_arg, allocator, [&t, &b](boost::context::fiber&& sink) {
            t.sink = std::move(sink);
#if WAN_EMU_ASAN
            __sanitizer_finish_switch_fiber(nullptr, &worker_stack_bottom, &worker_stack_size);
#endif
            try
            {
                if (!b.aborting)
                {
                    b.entry(b.args);
                }
            }
            catch (const BlockAborted&)
            {
                b.aborting = true;
            }
            t.state = State::Exited;
#if WAN_EMU_ASAN
            __sanitizer_start_switch_fiber(nullptr, worker_stack_bottom, worker_stack_size);
#endif
            return std::move(t.sink);
        });
    }
    for (;;)
    {
        bool ran = false;
        for (auto& t : b.threads)
        {
            if (t.state == State::Ready)
            {
                resume(t);
                ran = true;
                if (b.aborting)
                {
                    break;
                }
            }
        }
        if (b.aborting)
        {
            break;
        }
        if (ran)
        {
            continue;
        }
        const Thread* first = nullptr;
        bool all_exited = true, same_barrier = true, any_exited = false;
        for (auto& t : b.threads)
        {
            if (t.state == State::Exited)
            {
                any_exited = true;
                continue;
            }
            all_exited = false;
            if (first == nullptr)
            {
                first = &t;
            }
            if (t.state != State::AtBlockBarrier || t.line != first->line || strcmp(t.file, first->file) != 0)
            {
                same_barrier = false;
            }
        }
        if (all_exited)
        {
            return;
        }
        if (same_barrier && first->state == State::AtBlockBarrier && !any_exited)
        {
            for (auto& t : b.threads)
            {
                t.state = State::Ready;
            }
            continue;
        }
        // Deadlock: name the distinct places the threads are stuck at.
        std::map<std::string, std::pair<unsigned, unsigned>> groups; // description -> (count, first thread)
        for (unsigned i = 0; i < count; i++)
        {
            auto [it, inserted] = groups.try_emplace(describe(b.threads[i]), 0u, i);
            it->second.first++;
        }
        std::string text = "barrier divergence in " + block_name() + ": the threads cannot all reach one barrier:";
        for (auto& [what, where_] : groups)
        {
            text += " " + std::to_string(where_.first) + " thread(s) from " + std::to_string(where_.second) + ": " + what + ";";
        }
        b.error = text;
        b.aborting = true;
        break;
    }
    // Unwind the fibers still suspended at a barrier (each throws BlockAborted when resumed).
    for (auto& t : b.threads)
    {
        if (t.state != State::Exited && t.fiber)
        {
            resume(t);
        }
    }
    if (b.error.empty())
    {
        b.error = "kernel aborted in " + block_name();
    }
}

struct Launch
{
    Entry entry;
    dim3 grid;
    dim3 block;
    size_t shared;
    void** args;
    std::atomic<uint64_t> next{0};
    uint64_t total = 0;
    std::atomic<bool> failed{false};
    std::mutex error_lock;
    std::string error;
};

void run_blocks(Launch& launch)
{
    grid_dim = launch.grid;
    block_dim = launch.block;
    Block b;
    b.entry = launch.entry;
    b.args = launch.args;
    current_block = &b;
    for (;;)
    {
        uint64_t i = launch.next.fetch_add(1);
        if (i >= launch.total || launch.failed.load())
        {
            break;
        }
        block_idx = {static_cast<unsigned>(i % launch.grid.x), static_cast<unsigned>((i / launch.grid.x) % launch.grid.y),
                     static_cast<unsigned>(i / (static_cast<uint64_t>(launch.grid.x) * launch.grid.y))};
        if (shared_buffer.size() < launch.shared)
        {
            shared_buffer.resize(launch.shared);
        }
        memset(shared_buffer.data(), 0xFF, launch.shared);
        b.error.clear();
        run_block(b);
        if (!b.error.empty())
        {
            std::lock_guard<std::mutex> lock(launch.error_lock);
            if (!launch.failed.exchange(true))
            {
                launch.error = b.error;
            }
        }
    }
    current_block = nullptr;
}

// OS threads that run the blocks of one launch at a time (the caller only waits).
class WorkerPool
{
public:
    WorkerPool()
    {
        unsigned n = std::max(1u, std::min(4u, std::thread::hardware_concurrency()));
        if (const char* env = getenv("WAN_EMU_THREADS"))
        {
            n = static_cast<unsigned>(std::max(1, atoi(env)));
        }
        for (unsigned i = 0; i < n; i++)
        {
            workers_.emplace_back([this] { work(); });
        }
    }

    ~WorkerPool()
    {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_all();
        for (auto& w : workers_)
        {
            w.join();
        }
    }

    void run(Launch& launch)
    {
        std::unique_lock<std::mutex> lock(mutex_);
        launch_ = &launch;
        busy_ = workers_.size();
        generation_++;
        wake_.notify_all();
        done_.wait(lock, [this] { return busy_ == 0; });
        launch_ = nullptr;
    }

private:
    void work()
    {
        uint64_t seen = 0;
        for (;;)
        {
            Launch* launch;
            {
                std::unique_lock<std::mutex> lock(mutex_);
                wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
                if (stopping_)
                {
                    return;
                }
                seen = generation_;
                launch = launch_;
            }
            run_blocks(*launch);
            std::lock_guard<std::mutex> lock(mutex_);
            if (--busy_ == 0)
            {
                done_.notify_all();
            }
        }
    }

    std::vector<std::thread> workers_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable done_;
    Launch* launch_ = nullptr;
    size_t busy_ = 0;
    uint64_t generation_ = 0;
    bool stopping_ = false;
};

int fail(char* error, int capacity, int code, const std::string& text)
{
    if (error != nullptr && capacity > 0)
    {
        snprintf(error, static_cast<size_t>(capacity), "%s", text.c_str());
    }
    return code;
}
} // namespace

void sync_block(const char* file, int line)
{
    Thread& self = *current_thread;
    self.state = State::AtBlockBarrier;
    self.file = file;
    self.line = line;
    yield_to_scheduler();
}

uint64_t warp_collective(WarpOp op, unsigned mask, uint64_t value, int param, int width, const char* file, int line)
{
    return arrive_at_warp(op, mask, value, param, width, file, line);
}

const unsigned char* warp_exchange(const void* payload, size_t bytes, const char* file, int line)
{
    Block& b = *current_block;
    Thread& self = *current_thread;
    if (bytes > ExchangeBytes)
    {
        b.error = "warp exchange of " + std::to_string(bytes) + " bytes at " + where(file, line) + " exceeds " + std::to_string(ExchangeBytes);
        throw BlockAborted{};
    }
    memcpy(self.payload, payload, bytes);
    self.exchanging = true;
    arrive_at_warp(WarpOp::Sync, 0xffffffffu, 0, 0, 32, file, line);
    self.exchanging = false;
    unsigned warp = static_cast<unsigned>(&self - b.threads.data()) / 32;
    return &b.exchange[warp * 32 * ExchangeBytes];
}

unsigned active_mask()
{
    Block& b = *current_block;
    unsigned linear = static_cast<unsigned>(current_thread - b.threads.data());
    unsigned warp = linear / 32, mask = 0;
    for (unsigned l = 0; l < 32 && warp * 32 + l < b.threads.size(); l++)
    {
        mask |= (b.threads[warp * 32 + l].state != State::Exited ? 1u : 0u) << l;
    }
    return mask;
}

void* dynamic_shared() { return shared_buffer.data(); }

void trap(const char* file, int line)
{
    current_block->error = "__trap() at " + where(file, line) + " in " + block_name() + " thread " + std::to_string(thread_idx.x);
    throw BlockAborted{};
}

bool register_kernel(const char* name, Entry entry, const unsigned* param_sizes, int param_count)
{
    registry()[name] = Registered{entry, std::vector<unsigned>(param_sizes, param_sizes + param_count)};
    return true;
}
} // namespace cuda_emu

namespace
{
std::mutex launch_lock;
}

// Launches a registered kernel like cuLaunchKernel (synchronously). Returns 0 on success, else
// 1 unknown kernel, 2 invalid launch configuration, 3 the kernel failed (text in `error`).
extern "C" __attribute__((visibility("default"))) int emu_launch(const char* kernel, const unsigned* grid, const unsigned* block,
                                                                 unsigned shared_bytes, void** args, char* error, int error_capacity)
{
    using namespace cuda_emu;
    auto& kernels = registry();
    auto found = kernels.find(kernel);
    if (found == kernels.end())
    {
        return fail(error, error_capacity, 1, std::string("kernel '") + kernel + "' is not registered in the emulator library (missing WAN_REGISTER_KERNEL or a stale build)");
    }
    dim3 g{grid[0], grid[1], grid[2]}, b{block[0], block[1], block[2]};
    uint64_t threads = static_cast<uint64_t>(b.x) * b.y * b.z;
    if (g.x == 0 || g.y == 0 || g.z == 0 || g.x > 2147483647u || g.y > 65535 || g.z > 65535)
    {
        return fail(error, error_capacity, 2, std::string("kernel '") + kernel + "': invalid grid (" + std::to_string(g.x) + "," + std::to_string(g.y) + "," + std::to_string(g.z) + ")");
    }
    if (threads == 0 || threads > 1024 || b.x > 1024 || b.y > 1024 || b.z > 64)
    {
        return fail(error, error_capacity, 2, std::string("kernel '") + kernel + "': invalid block (" + std::to_string(b.x) + "," + std::to_string(b.y) + "," + std::to_string(b.z) + ")");
    }
    if (shared_bytes > MaxDynamicShared)
    {
        return fail(error, error_capacity, 2, std::string("kernel '") + kernel + "': " + std::to_string(shared_bytes) + " bytes of dynamic shared memory exceed " + std::to_string(MaxDynamicShared));
    }
    static WorkerPool pool;
    Launch launch;
    launch.entry = found->second.entry;
    launch.grid = g;
    launch.block = b;
    launch.shared = shared_bytes;
    launch.args = args;
    launch.total = static_cast<uint64_t>(g.x) * g.y * g.z;
    std::lock_guard<std::mutex> lock(launch_lock);
    pool.run(launch);
    if (launch.failed.load())
    {
        return fail(error, error_capacity, 3, std::string("kernel '") + kernel + "': " + launch.error);
    }
    return 0;
}

// The byte sizes of a registered kernel's parameters, in order, into `sizes` (up to `capacity`).
// Returns the parameter count, or -1 when the kernel is not registered.
extern "C" __attribute__((visibility("default"))) int emu_kernel_params(const char* kernel, unsigned* sizes, int capacity)
{
    auto& kernels = cuda_emu::registry();
    auto found = kernels.find(kernel);
    if (found == kernels.end())
    {
        return -1;
    }
    const auto& params = found->second.param_sizes;
    for (int i = 0; i < capacity && i < static_cast<int>(params.size()); i++)
    {
        sizes[i] = params[i];
    }
    return static_cast<int>(params.size());
}
