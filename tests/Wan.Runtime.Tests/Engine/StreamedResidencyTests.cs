using Wan.Runtime.Engine;
using Wan.Runtime.Lora;
using Wan.Runtime.Tensors;
using Wan.Runtime.Tests.Backends.Cuda;
using Wan.Runtime.Tests.Lora;
using Wan.Testing;

namespace Wan.Runtime.Tests.Engine;

/// <summary>
/// <see cref="ExpertResidency.Streamed"/> on the emulated device (whose copy stream poisons an upload's destination
/// until it is waited for): every <c>pipeline</c> golden denoises to the same x0 as with both experts resident, bit
/// for bit, in fp32 and bf16 storage (both runs direct, not captured: streamed steps cannot be), within the golden's
/// tolerance at every step, with a lower device peak; an unmerged LoRA streams too (bit for bit) and a merged one is refused; the
/// CPU backend refuses the residency at engine build in one line.
/// </summary>
[Category("Golden")]
[Category("Emulated")]
[Category("EmulatedEndToEnd")] // whole-model runs: no kernel the op tests miss, so not rerun under schedules and sanitizers
public sealed class StreamedResidencyTests
{
    public static readonly DType[] Storages = [DType.F32, DType.BF16];

    [TestCaseSource(nameof(PipelineCases))]
    public void StreamedBlocksDenoiseLikeResidentOnesWithALowerPeak(FixtureCase? fixtureCase, DType storage)
    {
        var c = Fixtures.Require(fixtureCase);
        using var golden = c.OpenGolden();
        double tol = c.Tolerance(storage == DType.F32 ? "fp32" : "bf16");
        var options = EmulatedEngineOptions.For(storage) with { CaptureStepGraphs = false };
        var (reference, bothPeak, bothBlocks) = Denoise(c, golden, options, tol);
        var (x0, streamedPeak, streamedBlocks) = Denoise(c, golden, options with { ExpertResidency = ExpertResidency.Streamed }, tol);

        long saved = bothPeak - streamedPeak;
        long blocksOfBoth = bothBlocks.Resident - streamedBlocks.Resident; // every block of both experts
        TestContext.Out.WriteLine($"{c} {storage}: device peak both {bothPeak} B, streamed {streamedPeak} B (saved {saved} B); blocks of both experts " +
                                  $"{blocksOfBoth} B, two slots {2 * streamedBlocks.SlotBytes} B; {streamedBlocks.Uploads} block uploads, {streamedBlocks.UploadedBytes} B");
        Assert.Multiple(() =>
        {
            Assert.That(x0, Is.EqualTo(reference), "x0, Streamed vs Both, bit for bit");
            Assert.That(streamedBlocks.Uploads, Is.GreaterThan(0), "the blocks streamed");
            Assert.That(saved, Is.GreaterThanOrEqualTo((long)(0.8 * (blocksOfBoth - 2 * streamedBlocks.SlotBytes))),
                "the peak saves every block of both experts but the two slots' worth");
        });
    }

    public static IEnumerable<TestCaseData> PipelineCases() =>
        Fixtures.CasesOfKind("pipeline").SelectMany(data => Storages.Select(storage =>
            new TestCaseData(data.Arguments[0], storage).SetName($"{data.TestName} {storage}")));

    [TestCaseSource(typeof(LoraFixtures), nameof(LoraFixtures.CasesOfKind), new object[] { new[] { "lora_pipeline" } })]
    public void UnmergedLoraStreamsAndMergedIsRefused(FixtureCase? fixtureCase)
    {
        var c = LoraFixtures.Require(fixtureCase);
        using var golden = c.OpenGolden();
        double tol = c.Tolerance("bf16");
        var options = EmulatedEngineOptions.For(DType.BF16) with { CaptureStepGraphs = false };
        var lora = LoraFixtures.PipelineStack(c);
        var (reference, _, _) = Denoise(c, golden, options, tol, lora);
        var (x0, _, figures) = Denoise(c, golden, options with { ExpertResidency = ExpertResidency.Streamed }, tol, lora);
        using var streamed = WanEngine.Open(c.Set.Diffusers, options with { ExpertResidency = ExpertResidency.Streamed });
        var auto = streamed.Pipeline.Loras.Resolve(lora);
        Assert.Multiple(() =>
        {
            Assert.That(x0, Is.EqualTo(reference), "x0 with an unmerged LoRA, Streamed vs Both, bit for bit");
            Assert.That(figures.Uploads, Is.GreaterThan(0), "the blocks streamed");
            Assert.That(auto.Mode, Is.EqualTo(LoraMode.Unmerged), "Auto binds unmerged when the blocks stream");
            Assert.That(() => streamed.Pipeline.Loras.Resolve(lora, LoraMode.Merged),
                Throws.TypeOf<NotSupportedException>().With.Message.EqualTo(
                    "a merged LoRA cannot apply to a DiT expert whose blocks stream (--experts-resident streamed): use --lora-mode unmerged"));
        });
    }

    [Test]
    public void TheCpuBackendRefusesStreamedBlocksAtEngineBuild()
    {
        var set = Fixtures.Sets.FirstOrDefault() ?? throw new AssertionException($"no fixture set under {Fixtures.Root}");
        Assert.That(() => WanEngine.Open(set.Diffusers, new EngineOptions { Device = EngineDevice.Cpu, ExpertResidency = ExpertResidency.Streamed }),
            Throws.TypeOf<Wan.Errors.DeviceException>().With.Message.EqualTo(
                "DiT: --experts-resident streamed needs a CUDA device (a copy stream to upload blocks on); the DiT runs on cpu"));
    }

    /// <summary>
    /// Denoises the case (<see cref="ExpertResidencyRun.Denoise"/>), with <paramref name="lora"/> bound unmerged when
    /// given; x0, the device peak of the run (emulated device; 0 on a GPU) and the DiT's block figures. No decode:
    /// streaming changes only the DiT. Also used by the real-GPU twin (GpuPipelineGoldenTests).
    /// </summary>
    internal static (float[] X0, long Peak, BlockFigures Blocks) Denoise(FixtureCase c, Wan.Runtime.Weights.SafetensorsFile golden, EngineOptions options, double tolerance,
        LoraSet? lora = null)
    {
        using var run = new ExpertResidencyRun(c.Set.Diffusers, options);
        var pipeline = run.Engine.Pipeline;
        var adapters = lora is null ? null : pipeline.Loras.Resolve(lora, LoraMode.Unmerged);
        var (x0, peak) = run.Denoise(c, golden, tolerance, adapters);
        var streamer = pipeline.HighNoise.Streamer;
        var figures = new BlockFigures(pipeline.HighNoise.WeightBytes + (pipeline.LowNoise?.WeightBytes ?? 0),
            streamer?.SlotBytes ?? 0, streamer?.Uploads ?? 0, streamer?.UploadedBytes ?? 0);
        return (x0, peak, figures);
    }

    /// <summary>Resident DiT weight bytes of both experts, the streamer's slot size, uploads and uploaded bytes (0 when resident).</summary>
    internal sealed record BlockFigures(long Resident, long SlotBytes, long Uploads, long UploadedBytes);
}
