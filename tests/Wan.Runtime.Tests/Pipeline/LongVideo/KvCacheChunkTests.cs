using Wan.Runtime.Engine;
using Wan.Runtime.Models.Dit;
using Wan.Runtime.Pipeline;
using Wan.Runtime.Tensors;
using Wan.Testing;

namespace Wan.Runtime.Tests.Pipeline.LongVideo;

/// <summary>
/// Chunked generation with the rolling K/V cache against one pass with the equivalent block-causal
/// mask, on every fixture model's DiT (CPU): 8 latent frames in chunks of 2, with a cache holding
/// everything, and with a rolling one (capacity 3 frames, 1 sink frame: frames evicted).
/// </summary>
[Category("Golden")]
public class KvCacheChunkTests
{
    private const int Frames = 8, ChunkFrames = 2;
    private static readonly int[] Shape = [16, Frames, 8, 8];

    private static float[] ChunkOf(float[] latent, int first, int frames)
    {
        int plane = Shape[2] * Shape[3];
        return [.. Enumerable.Range(0, Shape[0]).SelectMany(c => latent.AsSpan((c * Frames + first) * plane, frames * plane).ToArray())];
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void ChunksWithTheCacheEqualOnePassWithTheBlockCausalMask(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var engine = WanEngine.Open(set.Diffusers, new EngineOptions { Device = EngineDevice.Cpu });
        var pipeline = engine.Pipeline;
        var dit = pipeline.HighNoise;
        var b = dit.Backend;
        using var context = pipeline.EncodeText(pipeline.Tokenize("a train crossing a bridge"));
        using var text = dit.PrepareText(context);
        var latent = NoiseGenerator.StandardNormal(21, Shape.Aggregate(1, (x, y) => x * y));
        const double t = 731.5;

        foreach (var (capacity, sinks) in new[] { (Frames, 0), (3, 1) })
        {
            using var policy = new DitKvCache(dit.Config.Layers, capacity, sinks);
            using var whole = b.FromHost(latent, new Shape(Shape));
            using var masked = dit.ForwardBlockCausal(whole, t, text, ChunkFrames, policy);
            var reference = b.ToHost(masked);

            using var cache = new DitKvCache(dit.Config.Layers, capacity, sinks);
            double worst = 0;
            for (int c = 0; c < Frames / ChunkFrames; c++)
            {
                using var chunk = b.FromHost(ChunkOf(latent, c * ChunkFrames, ChunkFrames), new Shape(16, ChunkFrames, Shape[2], Shape[3]));
                using var peek = dit.ForwardChunk(chunk, t, text, cache, storeChunk: false);
                Assert.That(cache.NextFrame, Is.EqualTo(c * ChunkFrames), "a forward without storing leaves the cache as it was");
                using var output = dit.ForwardChunk(chunk, t, text, cache, storeChunk: true);
                Assert.That(b.ToHost(output), Is.EqualTo(b.ToHost(peek)), "the cache entries are the chunk's, computed once");
                var expected = ChunkOf(reference, c * ChunkFrames, ChunkFrames);
                worst = Math.Max(worst, Metrics.AssertClose(b.ToHost(output), expected, 1e-6, $"{set} capacity {capacity} sinks {sinks} chunk {c}"));
            }
            Assert.That(cache.FramePositions, Is.EqualTo(sinks == 0 ? Enumerable.Range(0, Frames) : new[] { 0, 6, 7 }));
            TestContext.Out.WriteLine($"{set}: capacity {capacity}, sinks {sinks}: chunked vs block-causal pass, worst relative L2 {worst:E2}");
        }
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void ADifferentCachePolicyIsFlaggedByTheComparison(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        using var engine = WanEngine.Open(set.Diffusers, new EngineOptions { Device = EngineDevice.Cpu });
        var dit = engine.Pipeline.HighNoise;
        var b = dit.Backend;
        using var context = engine.Pipeline.EncodeText(engine.Pipeline.Tokenize("a train crossing a bridge"));
        using var text = dit.PrepareText(context);
        var latent = NoiseGenerator.StandardNormal(22, Shape.Aggregate(1, (x, y) => x * y));
        using var whole = b.FromHost(latent, new Shape(Shape));
        using var everything = new DitKvCache(dit.Config.Layers, Frames);
        using var full = dit.ForwardBlockCausal(whole, 500, text, ChunkFrames, everything);
        using var cache = new DitKvCache(dit.Config.Layers, 3, 1);
        float[] last = [];
        for (int c = 0; c < Frames / ChunkFrames; c++)
        {
            using var chunk = b.FromHost(ChunkOf(latent, c * ChunkFrames, ChunkFrames), new Shape(16, ChunkFrames, Shape[2], Shape[3]));
            using var output = dit.ForwardChunk(chunk, 500, text, cache, storeChunk: true);
            last = b.ToHost(output);
        }
        Assert.That(Metrics.RelativeL2(last, ChunkOf(b.ToHost(full), Frames - ChunkFrames, ChunkFrames)), Is.GreaterThan(1e-3),
            "evicted frames change the last chunk: a comparison against the wrong mask must fail");
    }

    [Test]
    public void TheBlockCausalPolicyWithSinksAndAWindow()
    {
        using var policy = new DitKvCache(layers: 1, capacityFrames: 3, sinkFrames: 1);
        // A query of frame 7 (chunk 6..7) sees its chunk, the sink frame 0 and the two latest frames 4 and 5.
        Assert.That(Enumerable.Range(0, 8).Where(k => policy.Sees(7, k, 2)), Is.EqualTo(new[] { 0, 4, 5, 6, 7 }));
        Assert.That(Enumerable.Range(0, 8).Where(k => policy.Sees(1, k, 2)), Is.EqualTo(new[] { 0, 1 }));
        Assert.That(() => new DitKvCache(1, 2, 2), Throws.ArgumentException.With.Message.Contains("sink"));
    }
}
