using Wan.Errors;

namespace Wan.Kernels.Interop;

/// <summary>A call into a CUDA library failed: names the function and the library's name for the code.</summary>
public abstract class NativeCallException : DeviceException
{
    /// <summary>"FUNCTION failed: CODENAME (CODE)" followed by <paramref name="detail"/>.</summary>
    protected NativeCallException(string function, int code, string codeName, string? detail)
        : base($"{function} failed: {codeName} ({code}){(string.IsNullOrEmpty(detail) ? "" : detail)}")
    {
        Function = function;
        Code = code;
        CodeName = codeName;
    }

    /// <summary>The library function that failed, e.g. "cuMemAlloc".</summary>
    public string Function { get; }
    /// <summary>The numeric return code.</summary>
    public int Code { get; }
    /// <summary>The library's name for the code, e.g. "CUDA_ERROR_OUT_OF_MEMORY".</summary>
    public string CodeName { get; }
}
