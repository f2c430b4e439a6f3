using System.Diagnostics;
using Wan.Kernels.Compile;
using Wan.Kernels.Interop;

namespace Wan.Kernels.Tests.Compile;

/// <summary>Every embedded kernel compiles with NVRTC for the GPUs we target, cleanly, with its resource use printed.</summary>
[Category("Nvrtc")]
public class NvrtcCompileTests
{
    private static readonly int[] Architectures = [80, 90];

    public static IEnumerable<TestCaseData> KernelsTimesArchitectures() =>
        KernelSources.AllKernels.SelectMany(k => Architectures.Select(a => new TestCaseData(k.Name, a).SetName($"Compiles({k.Name}, sm_{a})")));

    [TestCaseSource(nameof(KernelsTimesArchitectures))]
    public void CompilesWithoutWarningsAndReportsResources(string kernel, int arch)
    {
        var watch = Stopwatch.StartNew();
        var compiled = NvrtcCompiler.Compile(KernelSources.Kernel(kernel), KernelSources.Headers,
            CompileTarget.Cubin(arch), new CompileOptions(PtxasVerbose: true));
        watch.Stop();

        var warnings = compiled.Log.Split('\n').Where(l => l.Contains("warning", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.That(warnings, Is.Empty, $"{kernel} for sm_{arch}: NVRTC/ptxas warnings");
        Assert.That(compiled.Image.AsSpan(0, 4).ToArray(), Is.EqualTo("\u007fELF"u8.ToArray()), "a CUBIN is an ELF file");

        var report = PtxasReport.Parse(compiled.Log);
        Assert.That(report, Is.Not.Empty, $"ptxas reported no entry function for {kernel}:\n{compiled.Log}");
        Assert.That(report.Select(r => r.Arch), Has.All.EqualTo($"sm_{arch}"));
        Assert.That(report.Select(r => r.Registers), Has.All.GreaterThan(0));

        TestContext.Progress.WriteLine($"{kernel} sm_{arch}: compiled in {watch.Elapsed.TotalMilliseconds:F0} ms");
        TestContext.Progress.WriteLine($"  {"kernel",-40} {"arch",-6} {"regs",5} {"smem B",7} {"stack B",8} {"spill st B",11} {"spill ld B",11}");
        foreach (var r in report)
        {
            TestContext.Progress.WriteLine(
                $"  {r.Kernel,-40} {r.Arch,-6} {r.Registers,5} {r.StaticSharedBytes,7} {r.StackFrameBytes,8} {r.SpillStoreBytes,11} {r.SpillLoadBytes,11}");
        }
    }

    /// <summary>
    /// Every kernel the VAE launchers (Wan.Kernels.Ops.Vae*Ops) and the umT5 ones (GatherOps for the token embedding,
    /// TextOps) launch is an entry point of its compiled module, per storage width/type.
    /// </summary>
    [TestCase("vae_conv.cu", new[] { "vae_im2col_16bit", "vae_im2col_32bit", "vae_channel_broadcast_16bit", "vae_channel_broadcast_32bit" })]
    [TestCase("vae_layout.cu", new[] { "vae_frame_copy_16bit", "vae_frame_copy_32bit", "vae_upsample_nearest2x_16bit", "vae_upsample_nearest2x_32bit", "vae_transpose_16bit", "vae_transpose_32bit" })]
    [TestCase("vae_norm.cu", new[] { "vae_channel_rms_norm_f32", "vae_channel_rms_norm_bf16", "vae_channel_rms_norm_f16", "vae_channel_affine_f32", "vae_channel_affine_bf16", "vae_channel_affine_f16" })]
    [TestCase("vae_attention.cu", new[] { "vae_softmax_rows_f32", "vae_softmax_rows_bf16", "vae_softmax_rows_f16" })]
    [TestCase("vae_tiles.cu", new[] { "vae_window_copy_16bit", "vae_window_copy_32bit", "vae_accumulate_tile_f32", "vae_accumulate_tile_bf16", "vae_accumulate_tile_f16" })]
    [TestCase("gather.cu", new[] { "gather_rows_16bit", "gather_rows_32bit" })]
    [TestCase("text.cu", new[] { "t5_position_bias_16bit", "t5_position_bias_32bit", "t5_residual_add_f16", "t5_clamp_f16" })]
    public void ModulesExportEveryLaunchedKernelWithoutSpills(string kernel, string[] entryPoints)
    {
        var compiled = NvrtcCompiler.Compile(KernelSources.Kernel(kernel), KernelSources.Headers, CompileTarget.Cubin(90), new CompileOptions(PtxasVerbose: true));
        var report = PtxasReport.Parse(compiled.Log);
        Assert.Multiple(() =>
        {
            Assert.That(report.Select(r => r.Kernel), Is.EquivalentTo(entryPoints), $"{kernel}: entry points");
            Assert.That(report.Select(r => r.SpillStoreBytes + r.SpillLoadBytes), Has.All.Zero, $"{kernel}: register spills");
        });
    }

    [Test]
    public void IncludedHeaderResolvesAndStaticSharedMemoryIsReported()
    {
        var header = new KernelSource("test/twice.cuh", "__device__ inline float twice(float v) { return 2.0f * v; }\n");
        var source = new KernelSource("shared_test.cu", """
            #include "test/twice.cuh"
            extern "C" __global__ void shared_test(const float* x, float* y, int n)
            {
                __shared__ float tile[257];
                const int i = blockIdx.x * blockDim.x + threadIdx.x;
                tile[threadIdx.x] = i < n ? twice(x[i]) : 0.0f;
                __syncthreads();
                if (i < n) { y[i] = tile[(threadIdx.x + 1) % blockDim.x]; }
            }
            """);
        var compiled = NvrtcCompiler.Compile(source, [header], CompileTarget.Cubin(80), new CompileOptions(PtxasVerbose: true));
        var report = PtxasReport.Parse(compiled.Log).Single();
        Assert.Multiple(() =>
        {
            Assert.That(report.Kernel, Is.EqualTo("shared_test"));
            Assert.That(report.StaticSharedBytes, Is.EqualTo(257 * 4));
        });
    }

    [Test]
    public void CompileErrorCarriesTheProgramLog()
    {
        var broken = new KernelSource("broken.cu", "extern \"C\" __global__ void broken(float* y) { y[0] = undeclared_name; }\n");
        var e = Assert.Throws<NvrtcException>(() => NvrtcCompiler.Compile(broken, [], CompileTarget.Cubin(80), CompileOptions.Default))!;
        Assert.Multiple(() =>
        {
            Assert.That(e.Function, Is.EqualTo("nvrtcCompileProgram"));
            Assert.That(e.CodeName, Is.EqualTo("NVRTC_ERROR_COMPILATION"));
            Assert.That(e.Log, Does.Contain("broken.cu").And.Contain("undeclared_name"));
            Assert.That(e.Message, Does.Contain("undeclared_name"));
        });
    }

    [Test]
    public void PtxTargetProducesPtxText()
    {
        var compiled = NvrtcCompiler.Compile(KernelSources.Kernel("test/smoke.cu"), KernelSources.Headers, new CompileTarget(80, Ptx: true), CompileOptions.Default);
        var text = System.Text.Encoding.ASCII.GetString(compiled.Image);
        Assert.Multiple(() =>
        {
            Assert.That(text, Does.Contain(".target sm_80").And.Contain(".entry wan_smoke_axpy"));
            Assert.That(compiled.Image[^1], Is.EqualTo(0), "cuModuleLoadData needs NUL-terminated PTX");
        });
    }

    [Test]
    public void TargetIsCubinForKnownGpusAndPtxForNewerOnes()
    {
        var newest = NvrtcCompiler.SupportedArchs.Max();
        TestContext.Progress.WriteLine($"NVRTC {NvrtcCompiler.Version.Major}.{NvrtcCompiler.Version.Minor}: sm_{string.Join(", sm_", NvrtcCompiler.SupportedArchs)}");
        Assert.Multiple(() =>
        {
            Assert.That(NvrtcCompiler.TargetFor(8, 0), Is.EqualTo(CompileTarget.Cubin(80)));
            Assert.That(NvrtcCompiler.TargetFor(9, 0), Is.EqualTo(CompileTarget.Cubin(90)));
            Assert.That(NvrtcCompiler.TargetFor(newest / 10 + 1, 0), Is.EqualTo(new CompileTarget(newest, Ptx: true)));
            Assert.That(() => NvrtcCompiler.TargetFor(1, 0), Throws.TypeOf<NotSupportedException>().With.Message.Contains("sm_10"));
        });
    }

    [Test]
    public void FastMathIsOffByDefault()
    {
        var defaults = NvrtcCompiler.OptionsFor(CompileTarget.Cubin(90), CompileOptions.Default);
        Assert.That(defaults, Is.EquivalentTo(new[] { "--gpu-architecture=sm_90", "-std=c++17", "-default-device" }));
        Assert.That(NvrtcCompiler.OptionsFor(CompileTarget.Cubin(90), new CompileOptions(FastMath: true)), Does.Contain("--use_fast_math"));
    }
}
