using Wan.Errors;

namespace Wan.Kernels.Interop;

/// <summary>A call into a CUDA library failed: names the function and the library's name for the code.</summary>
public abstract class NativeCallException : DeviceException
{
    protected NativeCallException(string function, int code, string codeName, string? detail)
        : base($"{function} failed: {codeName} ({code}){(string.IsNullOrEmpty(detail) ? "" : detail)}")
    {
        Function = function;
        Code = code;
        CodeName = codeName;
    }

    public string Function { get; }
    public int Code { get; }
    public string CodeName { get; }
}
