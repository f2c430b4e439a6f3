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
    public const string CudaDriver = "wan-cuda";
    public const string Nvrtc = "wan-nvrtc";
    public const string Cublas = "wan-cublas";

    private static readonly Dictionary<string, (string[] Sonames, string Package)> Known = new()
    {
        [OpenBlas] = (["libopenblas.so.0", "libopenblasp-r0.3.21.so"], "libopenblas0"),
        // The newest CUDA first (13: current toolkits and the nvidia-* Python wheels; 12), then the CUDA 11 libraries
        // Debian bookworm ships (see .ci/install-cuda-libs.sh).
        [CudaDriver] = (["libcuda.so.1"], "libcuda1"),
        [Nvrtc] = (["libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2"], "libnvrtc11.2"),
        [Cublas] = (["libcublas.so.13", "libcublas.so.12", "libcublas.so.11"], "libcublas11"),
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

    /// <summary>Loads one of our logical libraries (e.g. <see cref="Nvrtc"/>) the way the bindings do.</summary>
    public static IntPtr Load(string name) => Resolve(name, typeof(NativeLibraries).Assembly, null);

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
        throw new Wan.Errors.NativeLibraryMissingException(lib.Sonames[0],
            $"native library {string.Join(" / ", lib.Sonames)} not found: install the Debian package '{lib.Package}' (apt-get install {lib.Package})");
    }
}
