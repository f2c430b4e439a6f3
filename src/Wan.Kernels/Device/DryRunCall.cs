namespace Wan.Kernels.Device;

/// <summary>Whether a recorded device call was a kernel launch or a GEMM.</summary>
public enum DryRunCallKind
{
    /// <summary>A kernel launch (<see cref="IDevice.Launch"/>).</summary>
    Launch,
    /// <summary>A GEMM (<see cref="IDevice.Gemm"/>).</summary>
    Gemm,
}

/// <summary>
/// One kernel launch or GEMM as a device was asked for it. A launch carries its kernel name, grid,
/// block and dynamic shared bytes; a GEMM its sizes [M, N, K] × batch, storage types, FLOPs
/// (2·M·N·K per batch entry) and the minimum bytes it moves (A and B read once, C written once, and
/// read too when β ≠ 0). Launch FLOPs and bytes are 0: a kernel's argument list does not say how much
/// it reads (the plan models kernels from <c>RooflineTable</c>). Records compare by value.
/// </summary>
public readonly record struct DryRunCall(
    DryRunCallKind Kind, string Name, Dim3 Grid, Dim3 Block, int SharedBytes,
    int M, int N, int K, int Batch, GemmType InputType, GemmType OutputType, double Flops, double Bytes)
{
    /// <summary>The record of a launch.</summary>
    public static DryRunCall ForLaunch(string kernel, Dim3 grid, Dim3 block, int sharedBytes) =>
        new(DryRunCallKind.Launch, kernel, grid, block, sharedBytes, 0, 0, 0, 0, default, default, 0, 0);

    /// <summary>The record of a GEMM: name "gemm MxNxK", FLOPs and bytes computed in double (no overflow).</summary>
    public static DryRunCall ForGemm(in GemmDesc g)
    {
        double m = g.M, n = g.N, k = g.K, batch = g.BatchCount;
        double input = Size(g.InputType), output = Size(g.OutputType);
        double bytes = batch * ((m * k + k * n) * input + m * n * output * (g.Beta == 0 ? 1 : 2));
        return new(DryRunCallKind.Gemm, $"gemm {g.M}x{g.N}x{g.K}", default, default, 0,
            g.M, g.N, g.K, g.BatchCount, g.InputType, g.OutputType, 2 * m * n * k * batch, bytes);
    }

    private static int Size(GemmType type) => type == GemmType.F32 ? 4 : 2;
}
