using Wan.Kernels.Device;

namespace Wan.Kernels.Ops;

/// <summary>Launch shape of the grid-stride kernels: 256-thread blocks, at most 4096 blocks (each loops).</summary>
internal static class GridStride
{
    public const int Threads = 256;
    private const long MaxBlocks = 4096;

    public static Dim3 Block => new(Threads);

    public static Dim3 Grid(long items) => new((int)Math.Clamp((items + Threads - 1) / Threads, 1, MaxBlocks));
}
