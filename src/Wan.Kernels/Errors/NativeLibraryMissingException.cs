namespace Wan.Errors;

/// <summary>
/// A native library (OpenBLAS, the CUDA driver, NVRTC, cuBLAS, the emulated device) could not be
/// loaded. The message names the library and how to get it (the Debian package, or the build script).
/// </summary>
public sealed class NativeLibraryMissingException : DeviceException
{
    /// <summary>Creates the error for <paramref name="library"/>.</summary>
    /// <param name="library">the soname or file that was looked for.</param>
    /// <param name="message">one line naming the library and how to install or build it.</param>
    public NativeLibraryMissingException(string library, string message)
        : base(message)
    {
        Library = library;
    }

    /// <summary>The soname or file that was looked for, e.g. <c>libopenblas.so.0</c>.</summary>
    public string Library { get; }
}
