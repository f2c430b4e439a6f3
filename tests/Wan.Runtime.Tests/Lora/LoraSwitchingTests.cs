using Wan.Runtime.Backends.Cpu;
using Wan.Runtime.Engine;
using Wan.Runtime.Lora;
using Wan.Runtime.Pipeline;
using Wan.Runtime.Pipeline.Solvers;
using Wan.Testing;

namespace Wan.Runtime.Tests.Lora;

/// <summary>
/// Switching LoRA sets between requests on one loaded model: no base weight is loaded again (counted
/// through the backend), each set gives its own numbers, a repeated set gives the same numbers from the
/// cached binding, and no LoRA gives the base output exactly.
/// </summary>
[Category("Golden")]
public sealed class LoraSwitchingTests
{
    [TestCase(LoraMode.Unmerged)]
    [TestCase(LoraMode.Merged)]
    public void SwitchingSetsReloadsNoBaseWeight(LoraMode mode)
    {
        var c = LoraFixtures.Require(LoraFixtures.All.FirstOrDefault(x => x.Kind == "lora_pipeline"));
        CountingBackend? wrapped = null;
        using var engine = WanEngine.Open(c.Set.Diffusers, new EngineOptions
        {
            Device = EngineDevice.Cpu,
            WrapBackend = b => wrapped = new CountingBackend((CpuBackend)b),
        });
        var counter = wrapped!;
        var pipeline = engine.Pipeline;
        int loads = counter.Calls("LoadWeight");
        Assert.That(loads, Is.GreaterThan(0), "the counter sees the model's weight loads");

        using var context = pipeline.EncodeText(pipeline.Tokenize("a red fox in the snow"));
        using var negative = pipeline.EncodeText(pipeline.Tokenize(""));
        var lorasDir = Path.Combine(c.Set.Directory, "lora");
        var files = Directory.GetFiles(lorasDir, "*.safetensors").Order(StringComparer.Ordinal).ToArray();
        Assert.That(files, Has.Length.GreaterThanOrEqualTo(2), "the set ships several LoRA files");
        var styleA = new LoraSet([new LoraSpec(files[0], 0.8f, LoraExpert.Both)]);
        var styleB = new LoraSet([new LoraSpec(files[1], -0.5f, LoraExpert.High), new LoraSpec(files[0], 0.3f, LoraExpert.Low)]);

        var noise = NoiseGenerator.StandardNormal(7, 16 * 2 * 4 * 4);
        var experts = new ExpertSchedule(pipeline.Index.BoundaryRatio, FlowSolvers.WanTrainTimesteps, 3.0, 4.0);
        float[] Request(LoraSet set) => pipeline.Denoise(context, negative, noise, [16, 2, 4, 4], FlowSolvers.Create("unipc", 3, 12.0), experts,
            adapters: pipeline.Loras.Resolve(set, mode));

        var a = Request(styleA);
        var b = Request(styleB);
        var none = Request(LoraSet.Empty);
        var a2 = Request(styleA);
        var baseOnly = pipeline.Denoise(context, negative, noise, [16, 2, 4, 4], FlowSolvers.Create("unipc", 3, 12.0), experts);

        Assert.Multiple(() =>
        {
            Assert.That(counter.Calls("LoadWeight"), Is.EqualTo(loads), "four requests with three LoRA sets loaded no base weight");
            Assert.That(Metrics.RelativeL2(a, none), Is.GreaterThan(1e-3), "style A changes the result");
            Assert.That(Metrics.RelativeL2(b, a), Is.GreaterThan(1e-3), "style B differs from style A");
            Assert.That(a2, Is.EqualTo(a), "the same set again gives the same numbers");
            Assert.That(none, Is.EqualTo(baseOnly), "no LoRA is the base model exactly, after LoRA requests");
        });
        if (mode == LoraMode.Unmerged)
        {
            Assert.That(pipeline.Loras.BindingsBuilt, Is.EqualTo(1 + 1 + 2), "A (one model: both experts) + B (both experts); A again is a cache hit");
        }
    }

    [TestCase(EngineDevice.Cpu)]
    [TestCase(EngineDevice.CudaEmulated)]
    public void AutoMergesRepeatedSetsOffTheCpu(EngineDevice device)
    {
        var c = LoraFixtures.Require(LoraFixtures.All.FirstOrDefault(x => x.Kind == "lora_pipeline"));
        using var engine = WanEngine.Open(c.Set.Diffusers, device == EngineDevice.Cpu ? new EngineOptions { Device = device } : Backends.Cuda.EmulatedEngineOptions.For(Wan.Runtime.Tensors.DType.BF16));
        var pipeline = engine.Pipeline;
        var set = LoraFixtures.PipelineStack(c);
        var other = new LoraSet(set.Specs.Select(s => s with { Strength = s.Strength / 2 }), set.Semantics);
        var modes = new List<LoraMode>();
        for (int i = 0; i < LoraAdapters.AutoMergeAfter + 1; i++)
        {
            modes.Add(pipeline.Loras.Resolve(set).Mode);
        }
        modes.Add(pipeline.Loras.Resolve(other).Mode);
        pipeline.Loras.SingleRequest = true;
        modes.Add(pipeline.Loras.Resolve(other).Mode);
        var expected = device == EngineDevice.Cpu
            ? Enumerable.Repeat(LoraMode.Unmerged, LoraAdapters.AutoMergeAfter + 3)
            : Enumerable.Repeat(LoraMode.Unmerged, LoraAdapters.AutoMergeAfter - 1).Concat(Enumerable.Repeat(LoraMode.Merged, 2))
                .Append(LoraMode.Unmerged).Append(LoraMode.Merged);
        Assert.That(modes, Is.EqualTo(expected),
            device == EngineDevice.Cpu ? "auto never merges on the CPU (fp32 copies)" : "merged once the set repeats AutoMergeAfter times, or for a single request; a new set starts unmerged");
        Assert.That(pipeline.Loras.Resolve(other, LoraMode.Merged).Mode, Is.EqualTo(LoraMode.Merged), "an explicit mode wins");
    }

    [Test]
    public void ALeaseKeepsAnEvictedMergeAliveUntilItEnds()
    {
        var c = LoraFixtures.Require(LoraFixtures.All.FirstOrDefault(x => x.Kind == "lora_pipeline"));
        using var engine = WanEngine.Open(c.Set.Diffusers, new EngineOptions { Device = EngineDevice.Cpu });
        var pipeline = engine.Pipeline;
        var first = LoraFixtures.PipelineStack(c);
        var second = new LoraSet(first.Specs.Select(s => s with { Strength = -s.Strength }), first.Semantics);
        var third = new LoraSet(first.Specs.Select(s => s with { Strength = 2 * s.Strength }), first.Semantics);

        var lease = pipeline.Loras.Acquire(first, LoraMode.Merged);
        var pinned = lease.Adapters.High!;
        long size = pinned.ElementCount;
        Assert.That(size, Is.GreaterThan(0));
        var unpinned = pipeline.Loras.Resolve(second, LoraMode.Merged).High!;
        Assert.That(pinned.ElementCount, Is.EqualTo(size), "evicted by the second merged set, but leased: still alive");
        pipeline.Loras.Resolve(third, LoraMode.Merged);
        Assert.That(unpinned.ElementCount, Is.Zero, "an evicted set nobody leases is freed at once");
        lease.Dispose();
        Assert.That(pinned.ElementCount, Is.Zero, "freed when its lease ends");
        lease.Dispose();
    }

    [Test]
    public void TheSemanticsMatterOnTheAllDeltasGolden()
    {
        var c = LoraFixtures.Require(LoraFixtures.All.FirstOrDefault(x => x.Params.TryGetProperty("merge_semantics", out var m) && m.GetString() == "lightx2v"));
        using var golden = c.OpenGolden();
        using var backend = new CpuBackend();
        using var dit = Wan.Runtime.Models.Dit.WanTransformer.Load(backend, Path.Combine(c.Set.Diffusers, LoraFixtures.Subfolder(c)));
        var set = LoraFixtures.Set(c);
        using var wrong = LoraBinding.Create(dit, set.Specs, LoraMergeSemantics.Diffusers, LoraMode.Unmerged);
        var err = Metrics.RelativeL2(LoraDitGoldenTests.Forward(backend, dit, golden, c, wrong), golden.Get("out").ToFloatArray());
        TestContext.Out.WriteLine($"{c} with the diffusers semantics instead: rel L2 {err:E3}");
        Assert.That(err, Is.GreaterThan(100 * c.Tolerance("fp32")), "dropping the norm deltas must fail the all-deltas golden");
    }
}
