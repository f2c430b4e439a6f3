using System.Runtime.InteropServices;

namespace Wan.Kernels.Interop;

/// <summary>Raw entry points of NVRTC (libnvrtc.so.13, .12 or .11.2). A program is an opaque pointer.</summary>
internal static unsafe partial class Nvrtc
{
    static Nvrtc() => NativeLibraries.Register();

    [LibraryImport(NativeLibraries.Nvrtc, EntryPoint = "nvrtcVersion")]
    public static partial NvrtcResult nvrtcVersion(int* major, int* minor);

    [LibraryImport(NativeLibraries.Nvrtc, EntryPoint = "nvrtcGetNumSupportedArchs")]
    public static partial NvrtcResult nvrtcGetNumSupportedArchs(int* count);

    [LibraryImport(NativeLibraries.Nvrtc, EntryPoint = "nvrtcGetSupportedArchs")]
    public static partial NvrtcResult nvrtcGetSupportedArchs(int* archs);

    [LibraryImport(NativeLibraries.Nvrtc, EntryPoint = "nvrtcGetErrorString")]
    public static partial byte* nvrtcGetErrorString(NvrtcResult result);

    [LibraryImport(NativeLibraries.Nvrtc, EntryPoint = "nvrtcCreateProgram")]
    public static partial NvrtcResult nvrtcCreateProgram(IntPtr* program, byte* source, byte* name,
        int headerCount, byte** headers, byte** includeNames);

    [LibraryImport(NativeLibraries.Nvrtc, EntryPoint = "nvrtcDestroyProgram")]
    public static partial NvrtcResult nvrtcDestroyProgram(IntPtr* program);

    [LibraryImport(NativeLibraries.Nvrtc, EntryPoint = "nvrtcCompileProgram")]
    public static partial NvrtcResult nvrtcCompileProgram(IntPtr program, int optionCount, byte** options);

    [LibraryImport(NativeLibraries.Nvrtc, EntryPoint = "nvrtcGetProgramLogSize")]
    public static partial NvrtcResult nvrtcGetProgramLogSize(IntPtr program, nuint* size);

    [LibraryImport(NativeLibraries.Nvrtc, EntryPoint = "nvrtcGetProgramLog")]
    public static partial NvrtcResult nvrtcGetProgramLog(IntPtr program, byte* log);

    [LibraryImport(NativeLibraries.Nvrtc, EntryPoint = "nvrtcGetPTXSize")]
    public static partial NvrtcResult nvrtcGetPTXSize(IntPtr program, nuint* size);

    [LibraryImport(NativeLibraries.Nvrtc, EntryPoint = "nvrtcGetPTX")]
    public static partial NvrtcResult nvrtcGetPTX(IntPtr program, byte* ptx);

    [LibraryImport(NativeLibraries.Nvrtc, EntryPoint = "nvrtcGetCUBINSize")]
    public static partial NvrtcResult nvrtcGetCUBINSize(IntPtr program, nuint* size);

    [LibraryImport(NativeLibraries.Nvrtc, EntryPoint = "nvrtcGetCUBIN")]
    public static partial NvrtcResult nvrtcGetCUBIN(IntPtr program, byte* cubin);
}
