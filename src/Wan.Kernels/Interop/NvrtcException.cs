namespace Wan.Kernels.Interop;

/// <summary>An NVRTC call failed; for a failed compilation <see cref="Log"/> is the program log.</summary>
public sealed class NvrtcException : NativeCallException
{
    public NvrtcException(string function, int code, string codeName, string? log = null)
        : base(function, code, codeName, string.IsNullOrEmpty(log) ? null : Environment.NewLine + log)
    {
        Log = log ?? "";
    }

    public string Log { get; }
}
