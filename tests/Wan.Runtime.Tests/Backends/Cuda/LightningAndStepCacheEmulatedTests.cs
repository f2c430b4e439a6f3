using Wan.Runtime.Engine;
using Wan.Runtime.Pipeline;
using Wan.Runtime.Pipeline.Caching;
using Wan.Runtime.Pipeline.Solvers;
using Wan.Runtime.Tensors;
using Wan.Testing;

namespace Wan.Runtime.Tests.Backends.Cuda;

/// <summary>
/// The lightning sampler and TeaCache with the DiT on the emulated device (bf16), on the `pipeline` golden's contexts
/// and noise: a cond-only captured step graph replays bit-identically to direct forwards and stays within the bf16
/// pipeline tolerance of the CPU fp32 run; TeaCache at threshold 0 reproduces the uncached device run bit for bit and
/// skips forwards at a larger threshold.
/// </summary>
[Category("Golden")]
[Category("Emulated")]
[Category("EmulatedEndToEnd")]
public sealed class LightningAndStepCacheEmulatedTests
{
    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.CasesOfKind), new object[] { new[] { "pipeline" } })]
    public void LightningGraphsMatchDirectForwardsAndTheCpuAndTeaCacheZeroIsExact(FixtureCase? fixtureCase)
    {
        var c = Fixtures.Require(fixtureCase);
        using var golden = c.OpenGolden();
        using var emulatedEngine = WanEngine.Open(c.Set.Diffusers, EmulatedEngineOptions.For(DType.BF16));
        using var referenceEngine = WanEngine.Open(c.Set.Diffusers, new EngineOptions { Device = EngineDevice.Cpu });
        var emulated = emulatedEngine.Pipeline;
        var reference = referenceEngine.Pipeline;
        double tol = c.Tolerance("bf16");

        int[] ids = [.. golden.Get("prompt_ids").ToInt64Array().Select(i => (int)i)];
        using var context = reference.EncodeText(ids);
        var noise = golden.Get("noise");
        var shape = noise.Shape.ToArray();
        var preset = SamplingPreset.Lightning;
        var noCfg = new ExpertSchedule(c.Params.GetProperty("boundary").GetDouble(), FlowSolvers.WanTrainTimesteps, preset.GuidanceLow, preset.GuidanceHigh);
        IFlowSolver Solver() => FlowSolvers.Create(preset.Solver, preset.Steps, preset.Shift);

        float[] Run(WanPipeline pipeline, bool graphs, TeaCache? cache = null)
        {
            pipeline.CaptureStepGraphs = graphs;
            return pipeline.Denoise(context, null, noise.ToFloatArray(), shape, Solver(), noCfg, cache: cache);
        }
        var cpuLatent = Run(reference, graphs: false);
        var direct = Run(emulated, graphs: false);
        var replayed = Run(emulated, graphs: true);
        Assert.That(replayed, Is.EqualTo(direct), "cond-only step graph replay vs direct forwards (bits)");
        Metrics.AssertClose(replayed, cpuLatent, tol, $"{c} lightning, bf16 emulated DiT vs CPU fp32: final latent");

        var zero = new TeaCache(0, TeaCacheCoefficients.RawDistance);
        Assert.That(Run(emulated, graphs: true, zero), Is.EqualTo(direct), "TeaCache threshold 0 on the device: bit for bit");
        Assert.That((zero.Computed, zero.Skipped), Is.EqualTo((preset.Steps, 0)));
        var skipping = new TeaCache(3.2, TeaCacheCoefficients.RawDistance);
        var cached = Run(emulated, graphs: true, skipping);
        Assert.That(skipping.Skipped, Is.GreaterThan(0));
        TestContext.Out.WriteLine($"{c} lightning on {emulated.Backends.Dit.Name}: TeaCache 3.2 skipped {skipping.Skipped} of {skipping.Statistics.Forwards}, " +
                                  $"rel L2 vs uncached {Metrics.RelativeL2(cached, direct):E2}");
    }
}
