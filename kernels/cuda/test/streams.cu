// Probe kernel for a device's copy stream (IUploadStream): a slow reader, so a test can tell whether an upload
// into the memory it reads waited for it (the upload ordered after a compute mark) or overtook it.
//   probe_delayed_copy(source, out, n, spin_cycles): one 1-D block; every thread first waits spin_cycles clock
//       cycles (clock64; the emulator has no clock and does not wait), then out[i] = source[i] for i in [0, n),
//       strided by blockDim.x. spin_cycles = 0 reads at once.
#include "common.cuh"

extern "C" __global__ void probe_delayed_copy(const int* source, int* out, int n, long long spin_cycles)
{
#if WAN_NVRTC
    const long long start = clock64();
    while (clock64() - start < spin_cycles)
    {
    }
#endif
    for (int i = threadIdx.x; i < n; i += blockDim.x)
    {
        out[i] = source[i];
    }
}

WAN_REGISTER_KERNEL(probe_delayed_copy);
