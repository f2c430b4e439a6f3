namespace Wan.Kernels.Compile;

/// <summary>
/// A module image ready for cuModuleLoadData: CUBIN bytes, or PTX text with its terminating NUL.
/// <see cref="Log"/> is NVRTC's program log (empty when the image came from the cache).
/// </summary>
public sealed record CompiledKernel(string Source, CompileTarget Target, byte[] Image, string Log, bool FromCache);
