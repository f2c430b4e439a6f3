namespace Wan.Kernels.Interop;

/// <summary>An NVRTC call failed; for a failed compilation <see cref="Log"/> is the program log.</summary>
public sealed class NvrtcException : Exception
{
    public NvrtcException(string function, int code, string codeName, string? log = null)
        : base($"{function} failed: {codeName} ({code}){(string.IsNullOrEmpty(log) ? "" : Environment.NewLine + log)}")
    {
        Function = function;
        Code = code;
        CodeName = codeName;
        Log = log ?? "";
    }

    public string Function { get; }
    public int Code { get; }
    public string CodeName { get; }
    public string Log { get; }
}
