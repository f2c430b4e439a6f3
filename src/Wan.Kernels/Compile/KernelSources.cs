using System.Reflection;

namespace Wan.Kernels.Compile;

/// <summary>
/// The kernel sources embedded in this assembly (kernels/cuda/**: see Wan.Kernels.csproj): every .cu
/// is a translation unit NVRTC compiles into one module; every .cuh is offered to each of them as an
/// includable header under its path relative to kernels/cuda. The .cu files under kernels/cuda/test/
/// (device probes, the smoke kernel) are for tests only: a <c>CudaDevice</c> loads them only on request.
/// </summary>
public static class KernelSources
{
    private const string Prefix = "kernels/cuda/";
    private const string TestFolder = "test/";

    private static readonly Lazy<IReadOnlyList<KernelSource>> LazyAllKernels = new(() => Load(".cu"));
    private static readonly Lazy<IReadOnlyList<KernelSource>> LazyKernels = new(() => [.. AllKernels.Where(s => !IsTestKernel(s))]);
    private static readonly Lazy<IReadOnlyList<KernelSource>> LazyTestKernels = new(() => [.. AllKernels.Where(IsTestKernel)]);
    private static readonly Lazy<IReadOnlyList<KernelSource>> LazyHeaders = new(() => Load(".cuh"));

    /// <summary>The translation units the runtime uses (kernels/cuda/*.cu), ordered by name.</summary>
    public static IReadOnlyList<KernelSource> Kernels => LazyKernels.Value;

    /// <summary>The test-only translation units (kernels/cuda/test/*.cu, named "test/…"), ordered by name.</summary>
    public static IReadOnlyList<KernelSource> TestKernels => LazyTestKernels.Value;

    /// <summary>Every translation unit, runtime and test-only.</summary>
    public static IReadOnlyList<KernelSource> AllKernels => LazyAllKernels.Value;

    /// <summary>The headers (.cuh), ordered by name.</summary>
    public static IReadOnlyList<KernelSource> Headers => LazyHeaders.Value;

    /// <summary>The translation unit named <paramref name="name"/> (e.g. "norm.cu" or "test/probes.cu"); throws <see cref="ArgumentException"/> when there is none.</summary>
    public static KernelSource Kernel(string name) =>
        AllKernels.FirstOrDefault(s => s.Name == name)
        ?? throw new ArgumentException($"no embedded kernel source '{name}' (have: {string.Join(", ", AllKernels.Select(s => s.Name))})", nameof(name));

    private static bool IsTestKernel(KernelSource source) => source.Name.StartsWith(TestFolder, StringComparison.Ordinal);

    private static IReadOnlyList<KernelSource> Load(string extension)
    {
        var assembly = typeof(KernelSources).Assembly;
        return
        [
            .. assembly.GetManifestResourceNames()
                .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal) && n.EndsWith(extension, StringComparison.Ordinal))
                .Order(StringComparer.Ordinal)
                .Select(n => new KernelSource(n[Prefix.Length..], Read(assembly, n))),
        ];
    }

    private static string Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"embedded kernel source {resource} cannot be opened");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
