namespace Wan.Kernels.Interop;

/// <summary>A CUDA driver API call failed: carries the function and the CUresult's name.</summary>
public class CudaException : Exception
{
    public CudaException(string function, int code, string codeName, string? detail = null)
        : base($"{function} failed: {codeName} ({code}){(detail is null ? "" : ": " + detail)}")
    {
        Function = function;
        Code = code;
        CodeName = codeName;
    }

    public string Function { get; }
    public int Code { get; }
    public string CodeName { get; }
}
