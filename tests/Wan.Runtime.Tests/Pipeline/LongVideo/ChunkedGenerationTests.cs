using Wan.Runtime.Engine;
using Wan.Runtime.Models.Dit;
using Wan.Runtime.Pipeline;
using Wan.Runtime.Pipeline.LongVideo;
using Wan.Runtime.Pipeline.Solvers;
using Wan.Runtime.Tensors;
using Wan.Testing;

namespace Wan.Runtime.Tests.Pipeline.LongVideo;

/// <summary>
/// Chunked generation end to end (<see cref="WanPipeline.DenoiseChunked"/>) against the same generation computed with no
/// cache: every step of chunk k is one block-causal pass over the finished chunks (at the context timestep) and the
/// chunk being denoised (at its step's timestep), with the mask of the cache policy (<see cref="WanTransformer.ForwardBlockCausal(Tensor, IReadOnlyList{double}, DitTextContext, int, DitKvCache)"/>).
/// 7 latent frames in chunks of 3 (the last one shorter), 3 UniPC steps with guidance (both branches, both experts of a
/// two-expert fixture), a cache holding all earlier frames and a rolling one (2 frames, 1 sink: frames evicted).
/// </summary>
[Category("Golden")]
public class ChunkedGenerationTests
{
    private const int Frames = 7, ChunkFrames = 3, Steps = 3;
    private static readonly int[] Shape = [16, Frames, 8, 8];
    private static readonly int Plane = Shape[2] * Shape[3];

    private static IFlowSolver NewSolver(int chunk) => FlowSolvers.Create("unipc", Steps, 5.0);

    /// <summary>The chunked loop with no cache: each step recomputes the finished chunks' K/V in one block-causal pass.</summary>
    private static float[] MaskedReference(WanPipeline pipeline, Tensor context, Tensor negative, float[] noise, ExpertSchedule experts, ChunkSchedule schedule)
    {
        var latent = (float[])noise.Clone();
        var texts = new Dictionary<WanTransformer, (DitTextContext, DitTextContext)>();
        try
        {
            for (int start = 0; start < Frames; start += ChunkFrames)
            {
                int length = Math.Min(ChunkFrames, Frames - start), seen = start + length;
                var x = Frame(latent, start, length);
                var solver = NewSolver(start / ChunkFrames);
                for (int i = 0; i < Steps; i++)
                {
                    double t = solver.ModelTimesteps[i];
                    bool high = experts.IsHighNoise(t);
                    var dit = high || pipeline.LowNoise is null ? pipeline.HighNoise : pipeline.LowNoise;
                    if (!texts.TryGetValue(dit, out var text))
                    {
                        texts[dit] = text = (dit.PrepareText(context), dit.PrepareText(negative));
                    }
                    var history = Frame(latent, 0, start);
                    var input = Enumerable.Range(0, 16).SelectMany(c =>
                        history.AsSpan(c * start * Plane, start * Plane).ToArray().Concat(x.AsSpan(c * length * Plane, length * Plane).ToArray())).ToArray();
                    double[] timesteps = [.. Enumerable.Repeat(schedule.ContextTimestep, start), .. Enumerable.Repeat(t, length)];
                    using var policy = schedule.NewCache(dit.Config.Layers);
                    float[] Rows(DitTextContext branch)
                    {
                        using var z = dit.Backend.FromHost(input, new Shape(16, seen, Shape[2], Shape[3]));
                        using var v = dit.ForwardBlockCausal(z, timesteps, branch, ChunkFrames, policy);
                        return Frame(dit.Backend.ToHost(v), start, length, seen);
                    }
                    var cond = Rows(text.Item1);
                    var uncond = Rows(text.Item2);
                    float g = (float)(high ? experts.GuidanceHigh : experts.GuidanceLow);
                    for (int j = 0; j < cond.Length; j++)
                    {
                        uncond[j] += g * (cond[j] - uncond[j]);
                    }
                    solver.Step(uncond, i, x);
                }
                for (int c = 0; c < 16; c++)
                {
                    x.AsSpan(c * length * Plane, length * Plane).CopyTo(latent.AsSpan((c * Frames + start) * Plane));
                }
            }
            return latent;
        }
        finally
        {
            foreach (var (cond, uncond) in texts.Values)
            {
                cond.Dispose();
                uncond.Dispose();
            }
        }
    }

    /// <summary>Latent frames [first, first + count) of [16, frames, plane].</summary>
    private static float[] Frame(float[] latent, int first, int count, int frames = Frames) =>
        [.. Enumerable.Range(0, 16).SelectMany(c => latent.AsSpan((c * frames + first) * Plane, count * Plane).ToArray())];

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void ChunkedGenerationWithTheCacheEqualsTheBlockCausalPasses(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var engine = WanEngine.Open(set.Diffusers, new EngineOptions { Device = EngineDevice.Cpu });
        var pipeline = engine.Pipeline;
        using var context = pipeline.EncodeText(pipeline.Tokenize("a lighthouse in a storm"));
        using var negative = pipeline.EncodeText(pipeline.Tokenize("blurry"));
        var experts = new ExpertSchedule(pipeline.Index.BoundaryRatio, FlowSolvers.WanTrainTimesteps, 3.0, 4.0);
        var noise = NoiseGenerator.StandardNormal(5, Shape.Aggregate(1, (a, b) => a * b));
        var results = new List<float[]>();
        foreach (var schedule in new[] { new ChunkSchedule(ChunkFrames, Frames), new ChunkSchedule(ChunkFrames, 2, 1) })
        {
            var chunksDone = new List<int>();
            var chunked = pipeline.DenoiseChunked(context, negative, noise, Shape, NewSolver, experts, schedule,
                p => { if (p.Stage == GenerationStage.DenoisingChunk) chunksDone.Add(p.Chunk); });
            Assert.That(chunksDone, Is.EqualTo(new[] { 1, 2, 3 }));
            var reference = MaskedReference(pipeline, context, negative, noise, experts, schedule);
            double error = Metrics.AssertClose(chunked, reference, 1e-5, $"{set} {schedule}");
            TestContext.Out.WriteLine($"{set}: {schedule}: chunked with the cache vs block-causal passes, relative L2 {error:E2}");
            results.Add(chunked);
        }
        Assert.That(Metrics.RelativeL2(results[1], results[0]), Is.GreaterThan(1e-3),
            "the rolling cache evicts frames the full one keeps: a comparison with the wrong policy must fail");
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void CancellingBetweenChunksStopsTheGeneration(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var engine = WanEngine.Open(set.Diffusers, new EngineOptions { Device = EngineDevice.Cpu });
        using var cancel = new CancellationTokenSource();
        var stages = new List<GenerationStage>();
        var request = new GenerationRequest { Prompt = "a kite", Frames = 25, Height = 64, Width = 64, Steps = 2, ChunkFrames = 3, GuidanceLow = 1, GuidanceHigh = 1 };
        Assert.That(() => engine.Generate(request, p =>
        {
            stages.Add(p.Stage);
            if (p.Stage == GenerationStage.DenoisingChunk)
            {
                cancel.Cancel();
            }
        }, cancel.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(stages.Count(s => s == GenerationStage.DenoisingChunk), Is.EqualTo(1));
        Assert.That(stages, Does.Not.Contain(GenerationStage.Decoding));
    }
}
