using Wan.Runtime.Engine;
using Wan.Runtime.Lora;
using Wan.Runtime.Tensors;
using Wan.Runtime.Tests.Backends.Cuda;
using Wan.Runtime.Tests.Lora;
using Wan.Testing;

namespace Wan.Runtime.Tests.Engine;

/// <summary>
/// <see cref="ExpertResidency.Active"/> on the emulated device (bf16): every <c>pipeline</c> golden gives the same
/// bytes as with both experts resident, within the golden's tolerance at every step; the engine opens with no expert
/// on the device, the run's peak is lower by at least 80% of one expert's weights, the last-used expert stays resident
/// and the next request reloads what it needs; a merged LoRA released with its expert is merged again correctly.
/// </summary>
[Category("Golden")]
[Category("Emulated")]
[Category("EmulatedEndToEnd")]
public sealed class ExpertResidencyTests
{
    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.CasesOfKind), new object[] { new[] { "pipeline" } })]
    public void ActiveExpertMatchesBothBitForBitWithOneExpertLessAtPeak(FixtureCase? fixtureCase)
    {
        var c = Fixtures.Require(fixtureCase);
        using var golden = c.OpenGolden();
        double tol = c.Tolerance("bf16");
        using var both = new ExpertResidencyRun(c.Set.Diffusers, EmulatedEngineOptions.For(DType.BF16));
        var reference = both.Generate(c, golden, tol);
        var bothPipeline = both.Engine.Pipeline;
        long expertBytes = Math.Max(bothPipeline.HighNoise.WeightBytes, bothPipeline.LowNoise?.WeightBytes ?? 0);

        using var active = new ExpertResidencyRun(c.Set.Diffusers, EmulatedEngineOptions.For(DType.BF16) with { ExpertResidency = ExpertResidency.Active });
        var pipeline = active.Engine.Pipeline;
        var (high, low) = (pipeline.HighNoise, pipeline.LowNoise);
        bool residentAtOpen = high.WeightsResident || low?.WeightsResident == true;
        var first = active.Generate(c, golden, tol);
        var afterFirst = (High: high.WeightsResident, Low: low?.WeightsResident, HighLoads: high.WeightLoads, LowLoads: low?.WeightLoads);
        var second = active.Generate(c, golden, tol);

        TestContext.Out.WriteLine($"{c}: expert weights {expertBytes} B; after open both {both.BytesAfterOpen} B, active {active.BytesAfterOpen} B; " +
                                  $"peak both {reference.PeakBytes} B, active {first.PeakBytes} B (saved {reference.PeakBytes - first.PeakBytes} B)");
        Assert.Multiple(() =>
        {
            Assert.That(expertBytes, Is.GreaterThan(0), "the experts hold device memory when resident");
            Assert.That(residentAtOpen, Is.False, "Active opens with no expert's weights on the device");
            Assert.That(both.BytesAfterOpen - active.BytesAfterOpen, Is.GreaterThanOrEqualTo(bothPipeline.HighNoise.WeightBytes + (bothPipeline.LowNoise?.WeightBytes ?? 0)),
                "after open Active holds neither expert");
            Assert.That(reference.PeakBytes - first.PeakBytes, Is.GreaterThanOrEqualTo((long)(0.8 * expertBytes)), "the peak saves one expert's weights");
            Assert.That(Metrics.RelativeL2(first.X0, reference.X0), Is.Zero, "x0, Active vs Both");
            Assert.That(first.Video, Is.EqualTo(reference.Video), "video_raw, Active vs Both, bit for bit");
            Assert.That(second.Video, Is.EqualTo(reference.Video), "a second request after the reloads, bit for bit");
            if (low is not null)
            {
                Assert.That(afterFirst, Is.EqualTo((false, (bool?)true, 2, (int?)2)),
                    "after a request only the last-used (low-noise) expert stays resident; each was loaded at open and at its first step");
                Assert.That((high.WeightLoads, low.WeightLoads), Is.EqualTo((3, 3)), "the next request reloads the high-noise expert, then the low-noise one");
            }
        });
    }

    [TestCaseSource(typeof(LoraFixtures), nameof(LoraFixtures.CasesOfKind), new object[] { new[] { "lora_pipeline" } })]
    public void MergedLoraIsMergedAgainAfterItsExpertReloads(FixtureCase? fixtureCase)
    {
        var c = LoraFixtures.Require(fixtureCase);
        using var golden = c.OpenGolden();
        double tol = c.Tolerance("bf16");
        using var both = WanEngine.Open(c.Set.Diffusers, EmulatedEngineOptions.For(DType.BF16));
        var reference = LoraPipelineGoldenTests.Run(both.Pipeline, c, golden, LoraMode.Merged, tol);

        using var active = WanEngine.Open(c.Set.Diffusers, EmulatedEngineOptions.For(DType.BF16) with { ExpertResidency = ExpertResidency.Active });
        var first = LoraPipelineGoldenTests.Run(active.Pipeline, c, golden, LoraMode.Merged, tol);
        var adapters = active.Pipeline.Loras.Resolve(LoraFixtures.PipelineStack(c), LoraMode.Merged);
        long highMergedAfterSwitch = adapters.High?.ElementCount ?? -1;
        var second = LoraPipelineGoldenTests.Run(active.Pipeline, c, golden, LoraMode.Merged, tol);

        Assert.Multiple(() =>
        {
            Assert.That(adapters.High, Is.Not.Null, "the case adapts the high-noise expert");
            Assert.That(active.Pipeline.Loras.BindingsBuilt, Is.EqualTo(both.Pipeline.Loras.BindingsBuilt), "the cached binding was reused, not rebuilt from scratch");
            Assert.That(highMergedAfterSwitch, Is.Zero, "the high-noise expert's merged weights left the device with it at the switch");
            Assert.That(first.X0, Is.EqualTo(reference.X0), "x0 with a merged LoRA, Active vs Both, bit for bit");
            Assert.That(second.X0, Is.EqualTo(reference.X0), "x0 of the next request (merged again after the reload), bit for bit");
            Assert.That(second.Video, Is.EqualTo(reference.Video), "video_raw of the next request, bit for bit");
        });
    }
}
