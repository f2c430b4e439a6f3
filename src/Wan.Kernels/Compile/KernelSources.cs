using System.Reflection;

namespace Wan.Kernels.Compile;

/// <summary>
/// The kernel sources embedded in this assembly (kernels/cuda/**: see Wan.Kernels.csproj): every .cu
/// is a translation unit NVRTC compiles into one module; every .cuh is offered to each of them as an
/// includable header under its path relative to kernels/cuda.
/// </summary>
public static class KernelSources
{
    private const string Prefix = "kernels/cuda/";

    private static readonly Lazy<IReadOnlyList<KernelSource>> All = new(Load);

    /// <summary>The translation units (.cu), ordered by name.</summary>
    public static IReadOnlyList<KernelSource> Kernels => [.. All.Value.Where(s => s.Name.EndsWith(".cu", StringComparison.Ordinal))];

    /// <summary>The headers (.cuh), ordered by name.</summary>
    public static IReadOnlyList<KernelSource> Headers => [.. All.Value.Where(s => s.Name.EndsWith(".cuh", StringComparison.Ordinal))];

    public static KernelSource Kernel(string name) =>
        Kernels.FirstOrDefault(s => s.Name == name)
        ?? throw new ArgumentException($"no embedded kernel source '{name}' (have: {string.Join(", ", Kernels.Select(s => s.Name))})", nameof(name));

    private static IReadOnlyList<KernelSource> Load()
    {
        var assembly = typeof(KernelSources).Assembly;
        return
        [
            .. assembly.GetManifestResourceNames()
                .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal))
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
