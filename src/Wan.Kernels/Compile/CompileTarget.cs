namespace Wan.Kernels.Compile;

/// <summary>
/// What NVRTC produces: a CUBIN for one real architecture (sm_XY), or PTX for a virtual one
/// (compute_XY) that the driver JIT-compiles for a GPU newer than NVRTC knows.
/// <paramref name="Arch"/> is 10 × major + minor (80 = sm_80).
/// </summary>
public readonly record struct CompileTarget(int Arch, bool Ptx)
{
    /// <summary>A CUBIN for sm_<paramref name="arch"/> (e.g. 90 for H100/H200).</summary>
    public static CompileTarget Cubin(int arch) => new(arch, Ptx: false);

    /// <summary>NVRTC's <c>--gpu-architecture</c> value: <c>sm_NN</c> for CUBIN, <c>compute_NN</c> for PTX.</summary>
    public string GpuArchitecture => Ptx ? $"compute_{Arch}" : $"sm_{Arch}";

    /// <summary>E.g. "sm_90 (CUBIN)" or "compute_90 (PTX)".</summary>
    public override string ToString() => GpuArchitecture + (Ptx ? " (PTX)" : " (CUBIN)");
}
