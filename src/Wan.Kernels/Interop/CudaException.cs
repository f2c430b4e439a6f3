namespace Wan.Kernels.Interop;

/// <summary>A CUDA driver API call failed (CodeName: the CUresult's name, e.g. CUDA_ERROR_OUT_OF_MEMORY).</summary>
public class CudaException : NativeCallException
{
    /// <summary>A failure of <paramref name="function"/> with CUresult <paramref name="code"/> (<paramref name="codeName"/>); <paramref name="detail"/> is appended to the message.</summary>
    public CudaException(string function, int code, string codeName, string? detail = null)
        : base(function, code, codeName, detail is null ? null : ": " + detail)
    {
    }
}
