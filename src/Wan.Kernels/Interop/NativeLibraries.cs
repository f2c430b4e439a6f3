using System.Reflection;
using System.Runtime.InteropServices;

namespace Wan.Kernels.Interop;

/// <summary>
/// Resolves the native libraries by explicit soname: .NET would otherwise probe unversioned names
/// (libopenblas.so) that only the -dev packages install. A missing library becomes one exception
/// naming the library and the Debian package that provides it.
/// </summary>
internal static class NativeLibraries
{
    public const string OpenBlas = "wan-openblas";

    private static readonly Dictionary<string, (string[] Sonames, string Package)> Known = new()
    {
        [OpenBlas] = (["libopenblas.so.0", "libopenblasp-r0.3.21.so"], "libopenblas0"),
    };

    private static int _registered;

    /// <summary>Installs the resolver for this assembly (idempotent).</summary>
    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 0)
        {
            NativeLibrary.SetDllImportResolver(typeof(NativeLibraries).Assembly, Resolve);
        }
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (!Known.TryGetValue(name, out var lib))
        {
            return IntPtr.Zero;
        }
        foreach (var soname in lib.Sonames)
        {
            if (NativeLibrary.TryLoad(soname, assembly, path, out var handle))
            {
                return handle;
            }
        }
        throw new DllNotFoundException(
            $"native library {lib.Sonames[0]} not found: install the Debian package '{lib.Package}' (apt-get install {lib.Package})");
    }
}
