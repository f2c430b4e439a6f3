namespace Wan.Kernels.Interop;

/// <summary>nvrtcResult; codes are named by <c>nvrtcGetErrorString</c> when reported.</summary>
internal enum NvrtcResult
{
    Success = 0,
    Compilation = 6,
}
