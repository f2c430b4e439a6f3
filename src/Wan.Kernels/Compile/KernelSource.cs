namespace Wan.Kernels.Compile;

/// <summary>One CUDA source file: <see cref="Name"/> is its path under kernels/cuda (e.g. "norm.cu", "common.cuh").</summary>
public sealed record KernelSource(string Name, string Text);
