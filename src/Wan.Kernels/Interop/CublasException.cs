namespace Wan.Kernels.Interop;

/// <summary>A cuBLAS call failed (CodeName: the CUBLAS_STATUS_ name).</summary>
public sealed class CublasException : NativeCallException
{
    public CublasException(string function, int code, string codeName)
        : base(function, code, codeName, detail: null)
    {
    }
}
