namespace Wan.Kernels.Compile;

/// <summary>
/// What NVRTC produces: a CUBIN for one real architecture (sm_XY), or PTX for a virtual one
/// (compute_XY) that the driver JIT-compiles for a GPU newer than NVRTC knows.
/// <paramref name="Arch"/> is 10 × major + minor (80 = sm_80).
/// </summary>
public readonly record struct CompileTarget(int Arch, bool Ptx)
{
    public static CompileTarget Cubin(int arch) => new(arch, Ptx: false);

    public string GpuArchitecture => Ptx ? $"compute_{Arch}" : $"sm_{Arch}";

    public override string ToString() => GpuArchitecture + (Ptx ? " (PTX)" : " (CUBIN)");
}
