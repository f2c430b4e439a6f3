using Wan.Kernels.Device;

namespace Wan.Kernels.Ops;

/// <summary>
/// Grid of the VAE's grid-stride kernels: 256-thread blocks, at most 1024 of them (262,144 threads: about
/// one full wave of an H100/H200, 132 SMs × 2,048 resident threads), each thread looping over the rest.
/// A quarter of <see cref="GridStride"/>'s cap: the VAE's kernels touch millions of elements, and on the
/// emulated device every CUDA thread is a fiber, so fewer threads that loop longer emulate faster.
/// </summary>
internal static class VaeGrid
{
    private const long MaxBlocks = 1024;

    public static Dim3 Of(long items) => new((int)Math.Clamp((items + GridStride.Threads - 1) / GridStride.Threads, 1, MaxBlocks));
}
