using Wan.Kernels.Device;
using Wan.Runtime.Backends.Cuda;
using Wan.Runtime.Config;
using Wan.Runtime.Engine;
using Wan.Runtime.Tests.Backends.Cuda;
using Wan.Runtime.Pipeline;
using Wan.Runtime.Pipeline.Solvers;
using Wan.Runtime.Tensors;
using Wan.Testing;

namespace Wan.Runtime.Tests.Pipeline;

/// <summary>
/// WanPipeline.Denoise on the emulated device releases the high-noise expert's step graph, buffers and
/// text K/V at the expert switch: with two experts of one config, the device memory live during the
/// low-noise steps equals that of the high-noise steps plus only the high expert's cached RoPE table
/// (kept, it would be the sum of both steps' memory).
/// </summary>
[Category("Golden")]
[Category("Emulated")]
public sealed class ExpertSwitchMemoryTests
{
    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void HighNoiseStepIsReleasedAtTheSwitch(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        var index = ModelIndexConfig.Load(set.Diffusers);
        Assume.That(index.HasSecondExpert, "a model with two experts");
        Assume.That(DitConfig.Load(Path.Combine(set.Diffusers, "transformer_2", "config.json")),
            Is.EqualTo(DitConfig.Load(Path.Combine(set.Diffusers, "transformer", "config.json"))), "experts of one config");
        EmulatedDevice? device = null;
        using var engine = WanEngine.Open(set.Diffusers, EmulatedEngineOptions.For(DType.BF16) with
        {
            WrapBackend = backend =>
            {
                device ??= (backend as CudaBackend)?.Device as EmulatedDevice;
                return backend;
            },
        });
        var pipeline = engine.Pipeline;
        using var context = pipeline.EncodeText(pipeline.Tokenize("a red fox in the snow"));
        using var negative = pipeline.EncodeText(pipeline.Tokenize("blurry"));
        var emulated = device ?? throw new AssertionException("the DiT's backend is not on an emulated device");
        int[] shape = [16, 2, 4, 6];
        var experts = new ExpertSchedule(index.BoundaryRatio, FlowSolvers.WanTrainTimesteps, 3, 4);
        var live = new List<(string Expert, long Bytes)>();
        long before = emulated.AllocatedBytes;

        pipeline.Denoise(context, negative, new float[16 * 2 * 4 * 6], shape, FlowSolvers.Create("unipc", 4), experts,
            step => live.Add((step.Expert!, emulated.AllocatedBytes)));

        var config = DitConfig.Load(Path.Combine(set.Diffusers, "transformer", "config.json"));
        long tokens = shape[1] / config.Patch.T * (shape[2] / config.Patch.H) * (shape[3] / config.Patch.W);
        long ropeBytes = 2 * tokens * (config.HeadDim / 2) * sizeof(float); // cos and sin in fp32, cached by each expert per grid
        var high = live.Where(s => s.Expert.Contains("high", StringComparison.Ordinal)).ToList();
        var low = live.Where(s => s.Expert.Contains("low", StringComparison.Ordinal)).ToList();
        TestContext.Progress.WriteLine($"live device bytes before {before}, per step: {string.Join(", ", live.Select(s => $"{s.Expert} {s.Bytes}"))}");
        Assert.Multiple(() =>
        {
            Assert.That(high, Is.Not.Empty, "high-noise steps ran");
            Assert.That(low, Is.Not.Empty, "low-noise steps ran");
            Assert.That(high[^1].Bytes, Is.GreaterThan(before), "a step holds device memory");
            Assert.That(low[0].Bytes - high[^1].Bytes, Is.EqualTo(ropeBytes), "the low-noise step replaced the high-noise one");
            Assert.That(emulated.AllocatedBytes - before, Is.EqualTo(2 * ropeBytes), "after the loop only the experts' RoPE tables stay");
        });
    }
}
