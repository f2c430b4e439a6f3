using System.Text;
using Wan.Kernels.Handles;
using Wan.Kernels.Interop;
using static Wan.Kernels.Interop.NativeCheck;

namespace Wan.Kernels.Compile;

/// <summary>
/// Compiles one kernel source with NVRTC (no CUDA toolkit needed: only libnvrtc). Every header under
/// kernels/cuda is handed to nvrtcCreateProgram, so <c>#include "common.cuh"</c> resolves without a file system.
/// </summary>
public static unsafe class NvrtcCompiler
{
    private static readonly Lazy<(int Major, int Minor)> LazyVersion = new(QueryVersion);
    private static readonly Lazy<IReadOnlyList<int>> LazyArchs = new(QuerySupportedArchs);

    /// <summary>The NVRTC version, e.g. (11, 8); part of the cache key.</summary>
    public static (int Major, int Minor) Version => LazyVersion.Value;

    /// <summary>The real architectures this NVRTC emits CUBIN for (10 × major + minor), ascending.</summary>
    public static IReadOnlyList<int> SupportedArchs => LazyArchs.Value;

    /// <summary>
    /// CUBIN for the device's own architecture when NVRTC knows it; otherwise PTX for the newest
    /// architecture NVRTC knows below it, which the driver JIT-compiles (PTX runs forward, never back).
    /// </summary>
    public static CompileTarget TargetFor(int major, int minor)
    {
        var arch = 10 * major + minor;
        if (SupportedArchs.Contains(arch))
        {
            return CompileTarget.Cubin(arch);
        }
        var older = SupportedArchs.Where(a => a < arch).ToList();
        if (older.Count == 0)
        {
            throw new NotSupportedException(
                $"GPU architecture sm_{arch} is older than every architecture NVRTC {Version.Major}.{Version.Minor} supports ({string.Join(", ", SupportedArchs)})");
        }
        return new CompileTarget(older.Max(), Ptx: true);
    }

    /// <summary>The NVRTC command line for a target; part of the cache key.</summary>
    public static IReadOnlyList<string> OptionsFor(CompileTarget target, CompileOptions options)
    {
        List<string> list = ["--gpu-architecture=" + target.GpuArchitecture, "-std=c++17", "-default-device"];
        if (options.FastMath)
        {
            list.Add("--use_fast_math");
        }
        if (options.PtxasVerbose)
        {
            list.Add("--ptxas-options=-v");
        }
        return list;
    }

    /// <summary>Compiles <paramref name="source"/>; a compile error throws <see cref="NvrtcException"/> carrying the program log.</summary>
    public static CompiledKernel Compile(KernelSource source, IReadOnlyList<KernelSource> headers, CompileTarget target, CompileOptions options)
    {
        using var program = CreateProgram(source, headers);
        var raw = program.DangerousGetHandle();
        using (var args = new Utf8StringArray(OptionsFor(target, options)))
        {
            var result = Nvrtc.nvrtcCompileProgram(raw, args.Count, args.Pointers);
            var log = ProgramLog(raw);
            Check(result, $"nvrtcCompileProgram({source.Name}, {target})", log);
            return new CompiledKernel(source.Name, target, target.Ptx ? Ptx(raw) : Cubin(raw), log, FromCache: false);
        }
    }

    private static NvrtcProgramHandle CreateProgram(KernelSource source, IReadOnlyList<KernelSource> headers)
    {
        using var text = new Utf8StringArray([source.Text, source.Name]);
        using var headerTexts = new Utf8StringArray([.. headers.Select(h => h.Text)]);
        using var headerNames = new Utf8StringArray([.. headers.Select(h => h.Name)]);
        IntPtr program;
        Check(Nvrtc.nvrtcCreateProgram(&program, text[0], text[1], headers.Count, headerTexts.Pointers, headerNames.Pointers));
        return new NvrtcProgramHandle(program);
    }

    private static string ProgramLog(IntPtr program)
    {
        nuint size;
        Check(Nvrtc.nvrtcGetProgramLogSize(program, &size));
        var bytes = new byte[size];
        fixed (byte* p = bytes)
        {
            Check(Nvrtc.nvrtcGetProgramLog(program, p));
        }
        return Encoding.UTF8.GetString(bytes).TrimEnd('\0').Trim();
    }

    private static byte[] Cubin(IntPtr program)
    {
        nuint size;
        Check(Nvrtc.nvrtcGetCUBINSize(program, &size));
        var bytes = new byte[size];
        fixed (byte* p = bytes)
        {
            Check(Nvrtc.nvrtcGetCUBIN(program, p));
        }
        return bytes;
    }

    private static byte[] Ptx(IntPtr program)
    {
        nuint size;
        Check(Nvrtc.nvrtcGetPTXSize(program, &size));
        var bytes = new byte[size];
        fixed (byte* p = bytes)
        {
            Check(Nvrtc.nvrtcGetPTX(program, p));
        }
        return bytes;
    }

    private static (int, int) QueryVersion()
    {
        int major, minor;
        Check(Nvrtc.nvrtcVersion(&major, &minor));
        return (major, minor);
    }

    private static IReadOnlyList<int> QuerySupportedArchs()
    {
        int count;
        Check(Nvrtc.nvrtcGetNumSupportedArchs(&count));
        var archs = new int[count];
        fixed (int* p = archs)
        {
            Check(Nvrtc.nvrtcGetSupportedArchs(p));
        }
        return [.. archs.Order()];
    }
}
