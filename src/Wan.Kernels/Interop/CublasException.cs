namespace Wan.Kernels.Interop;

/// <summary>A cuBLAS call failed: carries the function and the CUBLAS_STATUS_ name.</summary>
public sealed class CublasException : Exception
{
    public CublasException(string function, int code, string codeName)
        : base($"{function} failed: {codeName} ({code})")
    {
        Function = function;
        Code = code;
        CodeName = codeName;
    }

    public string Function { get; }
    public int Code { get; }
    public string CodeName { get; }
}
