// Row gather (embedding lookup), bit copies of any 2-/4-byte type:
//   gather_rows_16bit / gather_rows_32bit(table, ids, out, count, d):
//     out[i, c] = table[ids[i], c] for i < count, c < d; table [vocab, d], ids int32 [count]
//     (the caller checks 0 <= ids[i] < vocab on the host, before the ids are uploaded), out [count, d].
// Used for the umT5 token embedding (table = shared.weight [vocab, d_model] resident in the storage
// type, ids = a prompt's token ids; reference wan/modules/t5.py T5Encoder.token_embedding) and for
// the batch routing's row gather (GatherOps.GatherRows through CudaBackend.Routing).
// Mapping: 1-D grid-stride loop over the count·d output elements, column fastest.
#include "common.cuh"

template <class T>
__device__ __forceinline__ void gather_rows_impl(const T* __restrict__ table, const int* __restrict__ ids, T* __restrict__ out, int count, int d)
{
    long long total = static_cast<long long>(count) * d;
    for (long long i = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x; i < total; i += static_cast<long long>(gridDim.x) * blockDim.x)
    {
        long long row = i / d;
        out[i] = table[static_cast<long long>(ids[row]) * d + i % d];
    }
}

extern "C" __global__ void gather_rows_16bit(const unsigned short* table, const int* ids, unsigned short* out, int count, int d)
{
    gather_rows_impl(table, ids, out, count, d);
}

extern "C" __global__ void gather_rows_32bit(const unsigned* table, const int* ids, unsigned* out, int count, int d)
{
    gather_rows_impl(table, ids, out, count, d);
}

WAN_REGISTER_KERNEL(gather_rows_16bit);
WAN_REGISTER_KERNEL(gather_rows_32bit);
