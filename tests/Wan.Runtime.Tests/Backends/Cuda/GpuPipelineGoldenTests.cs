using Wan.Runtime.Engine;
using Wan.Runtime.Tensors;
using Wan.Runtime.Tests.Engine;
using Wan.Testing;

namespace Wan.Runtime.Tests.Backends.Cuda;

/// <summary>
/// The whole pipeline on a real GPU: every <c>pipeline</c> golden through <see cref="WanEngine"/> with
/// <c>Device = Cuda</c> (the checks of <see cref="EmulatedPipelineGoldenTests"/>), every <c>vae_decode</c> and
/// <c>vae_encode</c> golden on the <see cref="Wan.Kernels.Device.CudaDevice"/> (those of <see cref="CudaVaeGoldenTests"/>),
/// and streamed blocks denoising to the same x0 as resident ones, bit for bit (those of
/// <see cref="StreamedResidencyTests"/>), in fp32, bf16 and fp16 storage. Ignored, with the reason, without a GPU.
/// </summary>
[Category("Golden")]
[Category("Gpu")]
[TestFixtureSource(nameof(Storages))]
public sealed class GpuPipelineGoldenTests(DType storage) : GpuDeviceFixture
{
    public static readonly DType[] Storages = [DType.F32, DType.BF16, DType.F16];

    private double Tolerance(FixtureCase c) => c.Tolerance(storage == DType.F32 ? "fp32" : "bf16");

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.CasesOfKind), new object[] { new[] { "pipeline" } })]
    public void EveryStageOnTheGpuMatchesTheReference(FixtureCase? fixtureCase) =>
        EmulatedPipelineGoldenTests.Check(Fixtures.Require(fixtureCase), new EngineOptions { Device = EngineDevice.Cuda, Precision = storage }, storage);

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.CasesOfKind), new object[] { new[] { "vae_decode" } })]
    public void DecodeMatchesTheReference(FixtureCase? fixtureCase) => CudaVaeGoldenTests.CheckDecode(Device, storage, Fixtures.Require(fixtureCase));

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.CasesOfKind), new object[] { new[] { "vae_encode" } })]
    public void EncodeMatchesTheReference(FixtureCase? fixtureCase) => CudaVaeGoldenTests.CheckEncode(Device, storage, Fixtures.Require(fixtureCase));

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.CasesOfKind), new object[] { new[] { "pipeline" } })]
    public void StreamedBlocksDenoiseLikeResidentOnes(FixtureCase? fixtureCase)
    {
        var c = Fixtures.Require(fixtureCase);
        using var golden = c.OpenGolden();
        var options = new EngineOptions { Device = EngineDevice.Cuda, Precision = storage, CaptureStepGraphs = false };
        var (reference, _, _) = StreamedResidencyTests.Denoise(c, golden, options, Tolerance(c));
        var (x0, _, blocks) = StreamedResidencyTests.Denoise(c, golden, options with { ExpertResidency = ExpertResidency.Streamed }, Tolerance(c));
        TestContext.Out.WriteLine($"{c} {storage}: {blocks.Uploads} block uploads, {blocks.UploadedBytes} B; x0 rel. L2 vs resident {Metrics.RelativeL2(x0, reference):E2}");
        Assert.Multiple(() =>
        {
            Assert.That(blocks.Uploads, Is.GreaterThan(0), "the blocks streamed");
            Assert.That(x0, Is.EqualTo(reference), "x0, Streamed vs Both on the GPU, bit for bit");
        });
    }
}
