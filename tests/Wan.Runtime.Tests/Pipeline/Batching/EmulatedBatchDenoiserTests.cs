using Wan.Runtime.Engine;
using Wan.Runtime.Tensors;
using Wan.Testing;
using static Wan.Testing.Metrics;

namespace Wan.Runtime.Tests.Pipeline.Batching;

/// <summary>
/// Batched denoising with expert routing with the DiT on the CUDA backend (bf16) on the emulated device:
/// requests admitted at different steps end within half the pipeline golden's bf16 tolerance of each
/// request run alone on the same backend.
/// </summary>
[Category("Golden")]
[Category("Emulated")]
[Category("EmulatedEndToEnd")]
public sealed class EmulatedBatchDenoiserTests
{
    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void RequestsAtMixedStepsStayWithinHalfTheToleranceOfEachRequestRunAlone(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        var pipelineCase = set.Cases.FirstOrDefault(c => c.Kind == "pipeline");
        Assert.That(pipelineCase, Is.Not.Null, $"{set.Name} has a pipeline case (its bf16 tolerance is the bound)");
        double bound = pipelineCase!.Tolerance("bf16") / 2;
        using var engine = WanEngine.Open(set.Diffusers, Backends.Cuda.EmulatedEngineOptions.For(DType.BF16));
        Assume.That(engine.Pipeline.LowNoise, Is.Not.Null, "a two-expert fixture");
        using var scenario = new BatchScenario(engine, count: 2); // two jobs: the emulator (and its ASan run) is slow
        var (batched, experts) = scenario.Batched();
        Assert.That(experts.Any(e => e.Count == 2), Is.True, "some batch step routed samples to both experts");
        for (int i = 0; i < scenario.Count; i++)
        {
            var alone = scenario.Alone(i);
            double error = AssertClose(batched[i], alone, bound, $"job {i} batched vs alone (bf16, emulated)");
            TestContext.Out.WriteLine($"job {i}: relative L2 {error:E2} (bound {bound:E2})");
        }
    }
}
