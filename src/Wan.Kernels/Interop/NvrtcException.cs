namespace Wan.Kernels.Interop;

/// <summary>An NVRTC call failed; for a failed compilation <see cref="Log"/> is the program log.</summary>
public sealed class NvrtcException : NativeCallException
{
    /// <summary>A failure of <paramref name="function"/> with nvrtcResult <paramref name="code"/> (<paramref name="codeName"/>); <paramref name="log"/> is appended to the message.</summary>
    public NvrtcException(string function, int code, string codeName, string? log = null)
        : base(function, code, codeName, string.IsNullOrEmpty(log) ? null : Environment.NewLine + log)
    {
        Log = log ?? "";
    }

    /// <summary>The program log of a failed compilation, else empty.</summary>
    public string Log { get; }
}
