// The emulated device's runtime: kernel registry, launch entry point, the worker pool that runs a
// grid's blocks, and the fiber scheduler that runs one block's threads (see cuda_emu.h).
#include <dlfcn.h>
#include <fcntl.h>
#include <link.h>
#include <sys/mman.h>
#include <unistd.h>

#include <boost/context/fiber.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
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

#if defined(WAN_EMU_UBSAN)
// The UBSan runtime (linked statically, so this library's definition of the hook wins) calls
// __ubsan_on_report for every report; the report's text comes from __ubsan_get_current_report_data.
extern "C" void __ubsan_get_current_report_data(const char** kind, const char** message, const char** file, unsigned* line,
                                                unsigned* column, char** address);
#define WAN_EMU_VARIANT "ubsan"
#elif WAN_EMU_ASAN
#define WAN_EMU_VARIANT "asan"
#else
#define WAN_EMU_VARIANT "release"
#endif

namespace cuda_emu
{
thread_local ThreadState tls;

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

StackPool& worker_stacks();

// Hands out pooled stacks and tells the thread where its stack lies (ASan needs the bounds).
struct PooledStack
{
    void** bottom;

    boost::context::stack_context allocate()
    {
        boost::context::stack_context stack = worker_stacks().allocate();
        *bottom = static_cast<char*>(stack.sp) - stack.size;
        return stack;
    }

    void deallocate(boost::context::stack_context& stack) noexcept { worker_stacks().release(stack); }
};

// The order in which the scheduler resumes a block's ready fibers (emu_launch's `schedule`).
enum class Schedule : int
{
    Forward = 0,       // ascending thread index, each sweep (the historical order)
    Reverse = 1,       // descending thread index, each sweep
    GreedyReverse = 2, // always the highest-indexed ready thread, re-chosen after every switch
    Shuffle = 3,       // a seeded random permutation of the ready threads, each sweep
};

enum class State
{
    Ready,
    AtBlockBarrier,
    AtWarpCollective,
    Exited,
};

// A cp.async copy in flight: the source bytes read at issue (zero-filled past source_bytes), where
// they land, and its commit group (OpenGroup until cp.async.commit_group).
struct PendingCopy
{
    static constexpr unsigned OpenGroup = ~0u;
    unsigned char* shared;
    unsigned char data[16];
    int bytes;
    unsigned group;
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
    std::vector<PendingCopy> copies; // cp.async copies not completed yet
    unsigned committed_groups = 0;
};

struct Block
{
    Entry entry = nullptr;
    void** args = nullptr;
    std::vector<Thread> threads;
    std::vector<unsigned char> exchange; // per warp: 32 lanes x ExchangeBytes
    bool aborting = false;
    std::string error;
    Schedule schedule = Schedule::Forward;
    uint64_t random = 0;               // Shuffle's generator state (seeded per block)
    std::vector<unsigned> order;       // Shuffle's permutation of one sweep
};

// Per worker OS thread (reached through tls.worker): the block being run, the running thread, the
// dynamic shared memory, the fiber stacks, where this library's thread-local block lies (the static
// __shared__ arrays), and (ASan) the worker's own stack.
struct Worker
{
    Block* current_block = nullptr;
    Thread* current_thread = nullptr;
    std::vector<unsigned char> shared_buffer;
    size_t shared_bytes = 0;
    StackPool stacks;
    unsigned char* tls_begin = nullptr;
    size_t tls_bytes = 0;
#if WAN_EMU_ASAN
    const void* stack_bottom = nullptr;
    size_t stack_size = 0;
#endif
};

Worker& worker() { return *static_cast<Worker*>(tls.worker); }

StackPool& worker_stacks() { return worker().stacks; }

struct TlsSearch
{
    uintptr_t base;
    unsigned char* data;
    size_t bytes;
};

int find_tls_segment(dl_phdr_info* info, size_t, void* argument)
{
    auto& search = *static_cast<TlsSearch*>(argument);
    if (info->dlpi_addr != search.base)
    {
        return 0;
    }
    for (int i = 0; i < info->dlpi_phnum; i++)
    {
        if (info->dlpi_phdr[i].p_type == PT_TLS)
        {
            search.data = static_cast<unsigned char*>(info->dlpi_tls_data);
            search.bytes = info->dlpi_phdr[i].p_memsz;
        }
    }
    return 1;
}

// Finds this library's thread-local block in the calling thread (it holds `tls` and every static
// __shared__ array of the kernels). Returns false when the loader does not say where it is.
bool locate_thread_locals(Worker& w)
{
    Dl_info self;
    if (dladdr(reinterpret_cast<void*>(&find_tls_segment), &self) == 0)
    {
        return false;
    }
    TlsSearch search{reinterpret_cast<uintptr_t>(self.dli_fbase), nullptr, 0};
    dl_iterate_phdr(find_tls_segment, &search);
    auto* own = reinterpret_cast<unsigned char*>(&tls);
    if (search.data == nullptr || own < search.data || own + sizeof tls > search.data + search.bytes)
    {
        return false;
    }
    w.tls_begin = search.data;
    w.tls_bytes = search.bytes;
    return true;
}

// Fills every static __shared__ byte with 0xFF (NaN in fp32/bf16/fp16): all of the library's
// thread-local block except the emulator's own state.
void poison_static_shared(Worker& w)
{
    auto* own = reinterpret_cast<unsigned char*>(&tls);
    memset(w.tls_begin, 0xFF, static_cast<size_t>(own - w.tls_begin));
    memset(own + sizeof tls, 0xFF, static_cast<size_t>(w.tls_begin + w.tls_bytes - (own + sizeof tls)));
}

bool lies_within(const unsigned char* p, size_t bytes, const unsigned char* begin, size_t size)
{
    return p >= begin && bytes <= size && static_cast<size_t>(p - begin) <= size - bytes;
}

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
    return "block (" + std::to_string(tls.block_idx.x) + "," + std::to_string(tls.block_idx.y) + "," + std::to_string(tls.block_idx.z) + ")";
}

// Switches from the running fiber back to the scheduler; unwinds when the block is abandoned.
void yield_to_scheduler()
{
    Thread& self = *worker().current_thread;
#if WAN_EMU_ASAN
    __sanitizer_start_switch_fiber(&self.fake_stack, worker().stack_bottom, worker().stack_size);
#endif
    self.sink = std::move(self.sink).resume();
#if WAN_EMU_ASAN
    __sanitizer_finish_switch_fiber(self.fake_stack, &worker().stack_bottom, &worker().stack_size);
#endif
    if (worker().current_block->aborting)
    {
        throw BlockAborted{};
    }
}

void resume(Thread& t)
{
    worker().current_thread = &t;
    tls.thread_idx = t.index;
#if WAN_EMU_ASAN
    void* fake = nullptr;
    __sanitizer_start_switch_fiber(&fake, t.stack_bottom, StackBytes);
#endif
    t.fiber = std::move(t.fiber).resume();
#if WAN_EMU_ASAN
    __sanitizer_finish_switch_fiber(fake, nullptr, nullptr);
#endif
    worker().current_thread = nullptr;
}

unsigned threads_per_block() { return tls.block_dim.x * tls.block_dim.y * tls.block_dim.z; }

char* hex_mask(char (&text)[16], unsigned mask)
{
    snprintf(text, sizeof text, "0x%08x", mask);
    return text;
}

// Fails the block: the error names the block; emu_launch prefixes the kernel.
[[noreturn]] void fail_block(Block& b, const std::string& text)
{
    b.error = text + " in " + block_name();
    throw BlockAborted{};
}

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
    int sources[32];
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
            // Undefined in CUDA (the value of a lane that did not take part): an error, not a guess.
            char text[16];
            fail_block(b, "warp shuffle at " + where(t.file, t.line) + ": lane " + std::to_string(l) + " reads lane " + std::to_string(src) +
                              ", which is not in the mask " + hex_mask(text, requested) +
                              (existing_lanes(b, warp) >> src & 1 ? "" : " (the lane does not exist: a partial warp)"));
        }
        sources[l] = src;
    }
    for (unsigned l = 0; l < 32; l++)
    {
        if (!(mask >> l & 1))
        {
            continue;
        }
        Thread& t = lanes[l];
        int src = sources[l];
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
    Block& b = *worker().current_block;
    Thread& self = *worker().current_thread;
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
    if (!try_complete_warp(b, linear / 32, mask) || b.schedule != Schedule::Forward)
    {
        // Fuzzing schedules also switch after the lane that completes a collective: the scheduler,
        // not the last arrival, decides which of the released lanes runs first.
        yield_to_scheduler();
    }
    return self.result;
}

void complete_copy(const PendingCopy& copy) { memcpy(copy.shared, copy.data, static_cast<size_t>(copy.bytes)); }

// Completes the calling thread's copies of committed groups older than the newest `keep` groups.
void complete_copies(Thread& t, unsigned keep)
{
    auto done = [&](const PendingCopy& copy) { return copy.group != PendingCopy::OpenGroup && copy.group + keep < t.committed_groups; };
    for (const auto& copy : t.copies)
    {
        if (done(copy))
        {
            complete_copy(copy);
        }
    }
    t.copies.erase(std::remove_if(t.copies.begin(), t.copies.end(), done), t.copies.end());
}

// Resumes the block's ready threads in its schedule's order until none is ready (or the block is
// abandoned); returns whether any thread ran.
bool run_ready(Block& b)
{
    bool ran = false;
    size_t n = b.threads.size();
    auto ready = [&](size_t i) { return b.threads[i].state == State::Ready; };
    auto step = [&](size_t i) {
        resume(b.threads[i]);
        ran = true;
        return !b.aborting;
    };
    switch (b.schedule)
    {
    case Schedule::Forward:
        for (size_t i = 0; i < n; i++)
        {
            if (ready(i) && !step(i))
            {
                return ran;
            }
        }
        break;
    case Schedule::Reverse:
        for (size_t i = n; i-- > 0;)
        {
            if (ready(i) && !step(i))
            {
                return ran;
            }
        }
        break;
    case Schedule::GreedyReverse:
        for (;;)
        {
            size_t i = n;
            while (i > 0 && !ready(i - 1))
            {
                i--;
            }
            if (i == 0 || !step(i - 1))
            {
                return ran;
            }
        }
    case Schedule::Shuffle:
        b.order.clear();
        for (unsigned i = 0; i < n; i++)
        {
            if (ready(i))
            {
                b.order.push_back(i);
            }
        }
        for (size_t i = b.order.size(); i > 1; i--)
        {
            // splitmix64: a fixed, seedable sequence on every platform
            uint64_t z = (b.random += 0x9E3779B97F4A7C15ull);
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
            z ^= z >> 31;
            std::swap(b.order[i - 1], b.order[z % i]);
        }
        for (unsigned i : b.order)
        {
            if (ready(i) && !step(i))
            {
                return ran;
            }
        }
        break;
    }
    return ran;
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
        t.index = {i % tls.block_dim.x, (i / tls.block_dim.x) % tls.block_dim.y, i / (tls.block_dim.x * tls.block_dim.y)};
        PooledStack allocator{&t.stack_bottom};
        t.fiber = boost::context::fiber(std::allocator_arg, allocator, [&t, &b](boost::context::fiber&& sink) {
            t.sink = std::move(sink);
#if WAN_EMU_ASAN
            __sanitizer_finish_switch_fiber(nullptr, &worker().stack_bottom, &worker().stack_size);
#endif
            try
            {
                if (!b.aborting)
                {
                    b.entry(b.args);
                    complete_copies(t, 0);
                    for (const auto& copy : t.copies)
                    {
                        complete_copy(copy); // uncommitted copies still land on a GPU
                    }
                    t.copies.clear();
                }
            }
            catch (const BlockAborted&)
            {
                b.aborting = true;
            }
            t.state = State::Exited;
#if WAN_EMU_ASAN
            __sanitizer_start_switch_fiber(nullptr, worker().stack_bottom, worker().stack_size);
#endif
            return std::move(t.sink);
        });
    }
    for (;;)
    {
        bool ran = run_ready(b);
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
    Schedule schedule;
    uint64_t seed;
    std::atomic<uint64_t> next{0};
    uint64_t total = 0;
    std::atomic<bool> failed{false};
    std::mutex error_lock;
    std::string error;
};

void run_blocks(Launch& launch)
{
    Worker& w = worker();
    tls.grid_dim = {launch.grid.x, launch.grid.y, launch.grid.z};
    tls.block_dim = {launch.block.x, launch.block.y, launch.block.z};
    Block b;
    b.entry = launch.entry;
    b.args = launch.args;
    b.schedule = launch.schedule;
    w.current_block = &b;
    if (w.shared_buffer.size() < launch.shared)
    {
        w.shared_buffer.resize(launch.shared);
    }
    w.shared_bytes = launch.shared;
    for (;;)
    {
        uint64_t i = launch.next.fetch_add(1);
        if (i >= launch.total || launch.failed.load())
        {
            break;
        }
        poison_static_shared(w);
        memset(w.shared_buffer.data(), 0xFF, launch.shared);
        tls.block_idx = {static_cast<unsigned>(i % launch.grid.x), static_cast<unsigned>((i / launch.grid.x) % launch.grid.y),
                         static_cast<unsigned>(i / (static_cast<uint64_t>(launch.grid.x) * launch.grid.y))};
        b.random = launch.seed ^ (i * 0xD1B54A32D192ED03ull); // per block, whichever worker runs it
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
    w.current_block = nullptr;
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
        located_ = n;
        for (unsigned i = 0; i < n; i++)
        {
            workers_.emplace_back([this] { work(); });
        }
        std::unique_lock<std::mutex> lock(mutex_);
        done_.wait(lock, [this] { return started_ == workers_.size(); });
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

    // Whether every worker found the library's thread-local block (static shared memory).
    bool located() const { return located_ == workers_.size(); }

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
        Worker state;
        tls.worker = &state;
        bool found = locate_thread_locals(state);
        uint64_t seen = 0;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            located_ -= found ? 0 : 1;
            started_++;
        }
        done_.notify_all();
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
    size_t started_ = 0;
    size_t located_ = 0;
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

std::string pointer_text(const void* p)
{
    char text[32];
    snprintf(text, sizeof text, "%p", p);
    return text;
}

Thread& calling_thread(Block& b) { return *worker().current_thread; }

unsigned lane_of(Block& b, const Thread& t) { return static_cast<unsigned>(&t - b.threads.data()) & 31; }
} // namespace

void sync_block(const char* file, int line)
{
    Thread& self = *worker().current_thread;
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
    Block& b = *worker().current_block;
    Thread& self = *worker().current_thread;
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
    Block& b = *worker().current_block;
    unsigned linear = static_cast<unsigned>(worker().current_thread - b.threads.data());
    unsigned warp = linear / 32, mask = 0;
    for (unsigned l = 0; l < 32 && warp * 32 + l < b.threads.size(); l++)
    {
        mask |= (b.threads[warp * 32 + l].state != State::Exited ? 1u : 0u) << l;
    }
    return mask;
}

void* dynamic_shared() { return worker().shared_buffer.data(); }

bool in_shared(const void* address, size_t bytes)
{
    Worker& w = worker();
    auto* p = static_cast<const unsigned char*>(address);
    auto* own = reinterpret_cast<const unsigned char*>(&tls);
    bool overlaps_own = p < own + sizeof tls && own < p + bytes;
    return lies_within(p, bytes, w.shared_buffer.data(), w.shared_bytes) || (lies_within(p, bytes, w.tls_begin, w.tls_bytes) && !overlaps_own);
}

void ldmatrix(unsigned* registers, int count, bool trans, const void* row, const char* file, int line)
{
    Block& b = *worker().current_block;
    unsigned lane = lane_of(b, calling_thread(b));
    std::string what = std::string("ldmatrix.x") + std::to_string(count) + (trans ? ".trans" : "") + " at " + where(file, line);
    if (count != 1 && count != 2 && count != 4)
    {
        fail_block(b, what + ": " + std::to_string(count) + " matrices (x1, x2 or x4)");
    }
    if (lane < 8u * static_cast<unsigned>(count))
    {
        if (reinterpret_cast<uintptr_t>(row) % 16 != 0)
        {
            fail_block(b, what + ": lane " + std::to_string(lane) + "'s row address " + pointer_text(row) + " is not 16-byte aligned");
        }
        if (!in_shared(row, 16))
        {
            fail_block(b, what + ": lane " + std::to_string(lane) + "'s row address " + pointer_text(row) + " is not in shared memory");
        }
    }
    const unsigned char* rows = warp_exchange(&row, sizeof row, file, line);
    auto row_of = [&](unsigned r) {
        const unsigned char* p;
        memcpy(&p, rows + ExchangeBytes * r, sizeof p);
        return p;
    };
    unsigned g = lane / 4, t = lane % 4;
    for (int i = 0; i < count; i++)
    {
        if (!trans)
        {
            memcpy(&registers[i], row_of(8 * i + g) + 4 * t, sizeof registers[i]);
        }
        else
        {
            unsigned short low, high;
            memcpy(&low, row_of(8 * i + 2 * t) + 2 * g, sizeof low);
            memcpy(&high, row_of(8 * i + 2 * t + 1) + 2 * g, sizeof high);
            registers[i] = static_cast<unsigned>(low) | (static_cast<unsigned>(high) << 16);
        }
    }
}

void cp_async(void* shared, const void* global, int bytes, int source_bytes, bool cache_global, const char* file, int line)
{
    Block& b = *worker().current_block;
    Thread& self = calling_thread(b);
    std::string what = std::string("cp.async.") + (cache_global ? "cg" : "ca") + " of " + std::to_string(bytes) + " bytes at " + where(file, line) +
                       " (thread " + std::to_string(&self - b.threads.data()) + ")";
    if (!(bytes == 16 || (!cache_global && (bytes == 4 || bytes == 8))))
    {
        fail_block(b, what + ": the size must be 16 bytes (.cg) or 4, 8, 16 (.ca)");
    }
    if (source_bytes < 0 || source_bytes > bytes)
    {
        fail_block(b, what + ": source size " + std::to_string(source_bytes) + " outside 0.." + std::to_string(bytes));
    }
    if (reinterpret_cast<uintptr_t>(shared) % static_cast<unsigned>(bytes) != 0 || reinterpret_cast<uintptr_t>(global) % static_cast<unsigned>(bytes) != 0)
    {
        fail_block(b, what + ": addresses " + pointer_text(shared) + " <- " + pointer_text(global) + " are not " + std::to_string(bytes) + "-byte aligned");
    }
    if (!in_shared(shared, static_cast<size_t>(bytes)))
    {
        fail_block(b, what + ": destination " + pointer_text(shared) + " is not in shared memory");
    }
    if (in_shared(global, static_cast<size_t>(bytes)))
    {
        fail_block(b, what + ": source " + pointer_text(global) + " is in shared memory, not global");
    }
    PendingCopy copy{static_cast<unsigned char*>(shared), {}, bytes, PendingCopy::OpenGroup};
    memcpy(copy.data, global, static_cast<size_t>(source_bytes));
    if (b.schedule != Schedule::Forward)
    {
        memset(copy.shared, 0xFF, static_cast<size_t>(bytes)); // in flight: poison, not the old tile, for a read before the wait
    }
    self.copies.push_back(copy);
}

void cp_async_commit()
{
    Block& b = *worker().current_block;
    Thread& self = calling_thread(b);
    for (auto& copy : self.copies)
    {
        if (copy.group == PendingCopy::OpenGroup)
        {
            copy.group = self.committed_groups;
        }
    }
    self.committed_groups++;
}

void cp_async_wait(int pending)
{
    Block& b = *worker().current_block;
    complete_copies(calling_thread(b), static_cast<unsigned>(std::max(0, pending)));
}

void trap(const char* file, int line)
{
    worker().current_block->error = "__trap() at " + where(file, line) + " in " + block_name() + " thread " + std::to_string(tls.thread_idx.x);
    throw BlockAborted{};
}

bool register_kernel(const char* name, Entry entry, const unsigned* param_sizes, int param_count)
{
    registry()[name] = Registered{entry, std::vector<unsigned>(param_sizes, param_sizes + param_count)};
    return true;
}
} // namespace cuda_emu

#if defined(WAN_EMU_UBSAN)
// A UBSan report inside a kernel fails its launch with the report's text (the run goes on, so the
// remaining blocks still finish and the test that launched it sees one clear error).
extern "C" __attribute__((visibility("default"))) void __ubsan_on_report()
{
    using namespace cuda_emu;
    if (tls.worker == nullptr || worker().current_block == nullptr)
    {
        return;
    }
    const char *kind = "", *message = "", *file = "";
    unsigned line = 0, column = 0;
    char* address = nullptr;
    __ubsan_get_current_report_data(&kind, &message, &file, &line, &column, &address);
    Block& b = *worker().current_block;
    if (b.error.empty())
    {
        b.error = std::string("UndefinedBehaviorSanitizer: ") + kind + ": " + message + " at " + where(file, static_cast<int>(line)) + " in " + block_name();
    }
}
#endif

namespace
{
std::mutex launch_lock;

// WAN_EMU_KERNEL_LOG=FILE: appends the name of every kernel this process launches to FILE, once per
// name (one write per line with O_APPEND, so the test processes of a run share the file).
// kernels/emu/kernel-coverage.sh compares the names with every kernel of kernels/cuda/*.cu: the
// coverage of a subset of the tests. Called under launch_lock. Returns an error text or "".
std::string log_launched_kernel(const char* kernel)
{
    static const char* const path = getenv("WAN_EMU_KERNEL_LOG");
    static std::set<std::string> logged;
    if (path == nullptr || *path == 0 || logged.count(kernel) != 0)
    {
        return {};
    }
    std::string line = std::string(kernel) + "\n";
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
    {
        return std::string("WAN_EMU_KERNEL_LOG=") + path + ": cannot open for appending: " + strerror(errno);
    }
    ssize_t written = write(fd, line.data(), line.size());
    int write_errno = errno;
    close(fd);
    if (written != static_cast<ssize_t>(line.size()))
    {
        return std::string("WAN_EMU_KERNEL_LOG=") + path + ": cannot append: " + (written < 0 ? strerror(write_errno) : "short write");
    }
    logged.insert(kernel);
    return {};
}
}

// Launches a registered kernel like cuLaunchKernel (synchronously), running the threads of each
// block in `schedule`'s order (0 forward, 1 reverse, 2 greedy-reverse, 3 shuffle with `seed`).
// Returns 0 on success, else 1 unknown kernel, 2 invalid launch configuration or schedule,
// 3 the kernel failed (text in `error`), 4 the emulator cannot locate static shared memory,
// 5 the kernel ran but $WAN_EMU_KERNEL_LOG cannot be appended to.
extern "C" __attribute__((visibility("default"))) int emu_launch(const char* kernel, const unsigned* grid, const unsigned* block,
                                                                 unsigned shared_bytes, void** args, int schedule, unsigned long long seed,
                                                                 char* error, int error_capacity)
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
    if (schedule < static_cast<int>(Schedule::Forward) || schedule > static_cast<int>(Schedule::Shuffle))
    {
        return fail(error, error_capacity, 2, std::string("kernel '") + kernel + "': unknown schedule " + std::to_string(schedule));
    }
    static WorkerPool pool;
    if (!pool.located())
    {
        return fail(error, error_capacity, 4, "the emulator cannot find its thread-local block (static __shared__ memory) through dl_iterate_phdr");
    }
    Launch launch;
    launch.entry = found->second.entry;
    launch.grid = g;
    launch.block = b;
    launch.shared = shared_bytes;
    launch.args = args;
    launch.schedule = static_cast<Schedule>(schedule);
    launch.seed = seed;
    launch.total = static_cast<uint64_t>(g.x) * g.y * g.z;
    std::lock_guard<std::mutex> lock(launch_lock);
    pool.run(launch);
    if (launch.failed.load())
    {
        return fail(error, error_capacity, 3, std::string("kernel '") + kernel + "': " + launch.error);
    }
    std::string log_error = log_launched_kernel(kernel);
    if (!log_error.empty())
    {
        return fail(error, error_capacity, 5, std::string("kernel '") + kernel + "' ran, but " + log_error);
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

// Which build this is: "release", "asan" or "ubsan" (tests of a sanitizer's probes need its build).
extern "C" __attribute__((visibility("default"))) const char* emu_variant() { return WAN_EMU_VARIANT; }
