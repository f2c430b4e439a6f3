using System.Runtime.InteropServices;
using System.Text;
using Wan.Kernels.Device;

namespace Wan.Kernels.Interop;

/// <summary>
/// The emulated device's native library (libwan_emu.so: kernels/cuda/*.cu compiled by g++ against
/// kernels/emu/cuda_emu.h, built by .ci/build-emulator.sh). Found at $WAN_EMULATOR_LIB, next to the
/// assembly, or in artifacts/emu/ of an enclosing checkout. Loaded by path once per process and never
/// unloaded (an ASan build cannot be); its entry points are called through function pointers
/// because the assembly's DllImport resolver belongs to the system libraries.
/// </summary>
internal static unsafe class EmulatorLibrary
{
    public const string PathVariable = "WAN_EMULATOR_LIB";
    public const string FileName = "libwan_emu.so";
    public const string BuildScript = ".ci/build-emulator.sh";

    private const int ErrorCapacity = 2048;

    private const int MaxParameters = 64;

    private static readonly Lazy<(string Path, IntPtr Launch, IntPtr Params, string Variant)> Loaded = new(Load);

    /// <summary>The path the library was loaded from (loads it on first use).</summary>
    public static string LoadedPath => Loaded.Value.Path;

    /// <summary>Which build was loaded: "release", "asan" (AddressSanitizer) or "ubsan" (UndefinedBehaviorSanitizer).</summary>
    public static string Variant => Loaded.Value.Variant;

    /// <summary>
    /// Runs a registered kernel synchronously, the threads of each block in <paramref name="schedule"/>'s
    /// order; returns null on success, else the emulator's error text.
    /// </summary>
    public static string? Launch(string kernel, ReadOnlySpan<uint> grid, ReadOnlySpan<uint> block, uint sharedBytes, void** args, EmulatedSchedule schedule)
    {
        var launch = (delegate* unmanaged<byte*, uint*, uint*, uint, void**, int, ulong, byte*, int, int>)Loaded.Value.Launch;
        int nameBytes = Encoding.UTF8.GetByteCount(kernel);
        Span<byte> name = nameBytes < 256 ? stackalloc byte[nameBytes + 1] : new byte[nameBytes + 1];
        Encoding.UTF8.GetBytes(kernel, name);
        name[^1] = 0;
        Span<byte> error = stackalloc byte[ErrorCapacity];
        int code;
        fixed (byte* pName = name, pError = error)
        fixed (uint* pGrid = grid, pBlock = block)
        {
            code = launch(pName, pGrid, pBlock, sharedBytes, args, (int)schedule.Order, schedule.Seed, pError, ErrorCapacity);
        }
        return code == 0 ? null : Encoding.UTF8.GetString(error[..Math.Max(0, error.IndexOf((byte)0))]);
    }

    /// <summary>
    /// The byte size of each parameter of a registered kernel (what a captured launch copies), or
    /// null when the library has no kernel of that name.
    /// </summary>
    public static int[]? ParameterSizes(string kernel)
    {
        var parameters = (delegate* unmanaged<byte*, uint*, int, int>)Loaded.Value.Params;
        var name = Encoding.UTF8.GetBytes(kernel + "\0");
        Span<uint> sizes = stackalloc uint[MaxParameters];
        int count;
        fixed (byte* pName = name)
        fixed (uint* pSizes = sizes)
        {
            count = parameters(pName, pSizes, MaxParameters);
        }
        if (count > MaxParameters)
        {
            throw new NotSupportedException($"kernel '{kernel}' has {count} parameters; captured launches support at most {MaxParameters}");
        }
        return count < 0 ? null : [.. sizes[..count].ToArray().Select(s => (int)s)];
    }

    private static (string, IntPtr, IntPtr, string) Load()
    {
        var path = Locate();
        var handle = NativeLibrary.Load(path);
        var variant = (delegate* unmanaged<byte*>)Export(handle, path, "emu_variant");
        return (path, Export(handle, path, "emu_launch"), Export(handle, path, "emu_kernel_params"),
            Marshal.PtrToStringUTF8((IntPtr)variant()) ?? "unknown");
    }

    private static IntPtr Export(IntPtr handle, string path, string name) =>
        NativeLibrary.TryGetExport(handle, name, out var entry)
            ? entry
            : throw new EntryPointNotFoundException($"{path} does not export {name}: rebuild it with {BuildScript}");

    private static string Locate()
    {
        var configured = Environment.GetEnvironmentVariable(PathVariable);
        if (!string.IsNullOrEmpty(configured))
        {
            return File.Exists(configured)
                ? Path.GetFullPath(configured)
                : throw new Wan.Errors.NativeLibraryMissingException(configured, $"{PathVariable}={configured}: no such file (build it with {BuildScript})");
        }
        var searched = new List<string> { Path.Combine(AppContext.BaseDirectory, FileName) };
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            searched.Add(Path.Combine(dir.FullName, "artifacts", "emu", FileName));
        }
        return searched.FirstOrDefault(File.Exists)
            ?? throw new Wan.Errors.NativeLibraryMissingException(FileName,
                $"emulator library {FileName} not found (searched {string.Join(", ", searched.Take(3))}, ...): build it with {BuildScript} " +
                $"(needs g++, make, libboost-context-dev) or set {PathVariable}");
    }
}
