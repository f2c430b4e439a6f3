namespace Wan.Kernels.Compile;

/// <summary>What ptxas allotted one kernel (entry function) for one architecture.</summary>
public sealed record KernelResources(string Kernel, string Arch, int Registers, int StaticSharedBytes,
    int StackFrameBytes, int SpillStoreBytes, int SpillLoadBytes);
