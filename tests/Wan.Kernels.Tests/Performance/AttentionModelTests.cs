using Wan.Kernels.Compile;
using Wan.Kernels.Performance;
using Wan.Kernels.Roofline;

namespace Wan.Kernels.Tests.Performance;

/// <summary>Occupancy and the modelled attention table (docs/attention-model.md).</summary>
public class AttentionModelTests
{
    private static readonly SmArchitecture[] Gpus = [SmArchitecture.H100, SmArchitecture.H200];

    /// <summary>What-if: an H100 whose mma.sync ran at the full dense rate (it does not; wgmma does).</summary>
    private static readonly SmArchitecture FullRateMmaSync = SmArchitecture.H100 with
    {
        Chip = Accelerator.H100 with { Name = "H100 what-if: mma.sync at dense peak" },
        MmaSyncFlopsPerClock = 4096,
    };

    // attention.cu compiled once for both test cases (NVRTC takes tens of seconds per architecture).
    private static readonly Lazy<Dictionary<int, IReadOnlyList<KernelResources>>> Sm80AndSm90Reports = new(() =>
        new[] { 80, 90 }.ToDictionary(arch => arch, arch => PtxasReport.Parse(NvrtcCompiler.Compile(KernelSources.Kernel("attention.cu"),
            KernelSources.Headers, CompileTarget.Cubin(arch), new CompileOptions(PtxasVerbose: true)).Log)));

    [Test]
    public void OccupancyFollowsRegistersAndSharedMemory()
    {
        var h100 = SmArchitecture.H100;
        Assert.Multiple(() =>
        {
            // 255 → 256 registers × 128 threads = 32,768 of 65,536; 104,448 + 1,024 B twice fits 228 KiB.
            Assert.That(h100.BlocksPerSm(128, 255, 104_448), Is.EqualTo(new Occupancy(2, 8, "registers")));
            // 153 → 160 × 128 = 20,480: three blocks; 36,352 + 1,024 B six times.
            Assert.That(h100.BlocksPerSm(128, 153, 36_352), Is.EqualTo(new Occupancy(3, 12, "registers")));
            Assert.That(h100.BlocksPerSm(128, 32, 120_000), Is.EqualTo(new Occupancy(1, 4, "shared memory")));
            Assert.That(h100.BlocksPerSm(1024, 32, 0), Is.EqualTo(new Occupancy(2, 64, "registers")));
            Assert.That(() => h100.BlocksPerSm(128, 255, 240_000), Throws.ArgumentException.With.Message.Contains("does not fit"));
        });
    }

    /// <summary>
    /// The FA2 kernel's registers come from NVRTC (sm_90); no tensor-core attention kernel spills at
    /// 128 query rows on sm_80 or sm_90. Prints the table for 480p and 720p; the new kernel must be
    /// modelled faster than the old one on every workload and GPU.
    /// </summary>
    [Category("Nvrtc")]
    [TestCase(480, 832)]
    [TestCase(720, 1280)]
    public void PrintsTheModelledTable(int height, int width)
    {
        var s = DitShape.Wan22T2VA14B;
        var reports = Sm80AndSm90Reports.Value;
        foreach (var (arch, report) in reports)
        {
            var flash = report.Where(r => r.Kernel.StartsWith("flash_attention_", StringComparison.Ordinal)).ToList();
            Assert.That(flash, Has.Count.EqualTo(16), $"sm_{arch}: bf16/fp16 × 8 head dims");
            Assert.That(flash.Where(r => r.SpillStoreBytes + r.SpillLoadBytes + r.StackFrameBytes > 0).Select(r => r.Kernel), Is.Empty,
                $"sm_{arch}: kernels that spill or use a stack frame");
        }
        int registers = reports[90].Single(r => r.Kernel == $"flash_attention_bf16_d{s.HeadDim}").Registers;
        long tokens = DitShape.Tokens(81, height, width);
        var kernels = new[]
        {
            new ModelledKernel(new TransposedVAttentionDesign(), TransposedVAttentionDesign.RecordedRegistersD128),
            new ModelledKernel(new Fa2AttentionDesign(), registers),
        };
        TestContext.Out.WriteLine($"## T2V-A14B {width}×{height}, 81 frames\n");
        TestContext.Out.WriteLine(AttentionModelTable.Format(s, tokens, kernels, [.. Gpus, FullRateMmaSync]));
        Assert.Multiple(() =>
        {
            foreach (var w in AttentionModelTable.Workloads(s, tokens))
            {
                foreach (var g in Gpus)
                {
                    var before = KernelTimeModel.Estimate(kernels[0].Design, kernels[0].Registers, w, g);
                    var after = KernelTimeModel.Estimate(kernels[1].Design, kernels[1].Registers, w, g);
                    Assert.That(after.Seconds, Is.LessThan(before.Seconds), $"{w.Name} on {g.Chip.Name}");
                    Assert.That(after.Seconds, Is.GreaterThanOrEqualTo(after.RooflineSeconds), "a model never beats the roofline");
                }
            }
        });
    }
}
