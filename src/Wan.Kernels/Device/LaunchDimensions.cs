namespace Wan.Kernels.Device;

/// <summary>
/// The launch-configuration rules of cuLaunchKernel that every device enforces the same way, so a
/// launch the emulated device accepts is one a GPU accepts: grid x up to 2³¹−1, grid y and z up to
/// 65,535; block x and y up to 1,024, z up to 64, at most 1,024 threads; no dimension zero or negative.
/// </summary>
internal static class LaunchDimensions
{
    private const int MaxGridYZ = 65_535;
    private const int MaxBlockXY = 1_024;
    private const int MaxBlockZ = 64;
    private const int MaxBlockThreads = 1_024;

    public static void Check(string kernel, Dim3 grid, Dim3 block, int dynamicSharedBytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(kernel);
        if (grid.X < 1 || grid.Y < 1 || grid.Z < 1 || grid.Y > MaxGridYZ || grid.Z > MaxGridYZ)
        {
            throw new ArgumentOutOfRangeException(nameof(grid),
                $"kernel {kernel}: grid {grid} must be positive, with y and z at most {MaxGridYZ}");
        }
        if (block.X < 1 || block.Y < 1 || block.Z < 1 || block.X > MaxBlockXY || block.Y > MaxBlockXY || block.Z > MaxBlockZ
            || (long)block.X * block.Y * block.Z > MaxBlockThreads)
        {
            throw new ArgumentOutOfRangeException(nameof(block),
                $"kernel {kernel}: block {block} must be positive, x and y at most {MaxBlockXY}, z at most {MaxBlockZ}, at most {MaxBlockThreads} threads");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(dynamicSharedBytes);
    }
}
