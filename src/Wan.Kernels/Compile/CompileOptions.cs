namespace Wan.Kernels.Compile;

/// <summary>
/// Switches of an NVRTC compilation. <see cref="FastMath"/> is off by default: the kernels must
/// match the CPU reference, and --use_fast_math flushes denormals and approximates divisions.
/// <see cref="PtxasVerbose"/> asks ptxas for its per-kernel resource lines in the log (see PtxasReport).
/// </summary>
public sealed record CompileOptions(bool FastMath = false, bool PtxasVerbose = false)
{
    /// <summary>The options every runtime kernel is compiled with (what <c>new()</c> gives).</summary>
    public static CompileOptions Default { get; } = new();
}
