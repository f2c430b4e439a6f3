namespace Wan.Kernels.Device;

/// <summary>A CUDA launch dimension (grid or block).</summary>
public readonly record struct Dim3(int X, int Y = 1, int Z = 1);
