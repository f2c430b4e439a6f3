namespace Wan.Kernels.Interop;

/// <summary>A cuBLAS call failed (CodeName: the CUBLAS_STATUS_ name).</summary>
public sealed class CublasException : NativeCallException
{
    /// <summary>A failure of <paramref name="function"/> with status <paramref name="code"/> (<paramref name="codeName"/>).</summary>
    public CublasException(string function, int code, string codeName)
        : base(function, code, codeName, detail: null)
    {
    }
}
