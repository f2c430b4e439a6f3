using Wan.Kernels.Device;
using Wan.Runtime.Backends.Cuda;
using Wan.Runtime.Engine;
using Wan.Runtime.Models.Dit;
using Wan.Runtime.Pipeline;
using Wan.Runtime.Tensors;
using Wan.Testing;
using static Wan.Testing.EmulatedTesting;

namespace Wan.Runtime.Tests.Pipeline.LongVideo;

/// <summary>
/// The K/V ring buffer on the CUDA backend (emulated device, bf16): chunk forwards with a rolling cache (capacity 2
/// frames, 1 sink, chunks of 2: frames evicted from the second chunk on) copy nothing from the device to the host —
/// the cached rows never leave device memory — and equal the same chunks on the CPU backend within half the
/// fixture's bf16 DiT tolerance.
/// </summary>
[Category("Golden")]
[Category("Emulated")]
public sealed class EmulatedKvCacheTests
{
    private const int Frames = 6, ChunkFrames = 2;
    private static readonly int[] Shape = [16, Frames, 8, 8];

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void TheRingBufferStaysOnTheDeviceAndMatchesTheCpu(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        var ditCase = set.Cases.FirstOrDefault(c => c.Kind == "dit");
        Assert.That(ditCase, Is.Not.Null, $"{set.Name} has a dit case (its bf16 tolerance is the bound)");
        double bound = ditCase!.Tolerance("bf16") / 2;
        using var engine = WanEngine.Open(set.Diffusers, new EngineOptions { Device = EngineDevice.Cpu });
        var cpuDit = engine.Pipeline.HighNoise;
        using var device = new CountingDevice(Emulator);
        using var backend = new CudaBackend(device, DType.BF16);
        using var gpuDit = WanTransformer.Load(backend, Path.Combine(set.Diffusers, "transformer"));
        using var context = engine.Pipeline.EncodeText(engine.Pipeline.Tokenize("a paper boat on a river"));
        using var cpuText = cpuDit.PrepareText(context);
        using var gpuText = gpuDit.PrepareText(context);
        using var cpuCache = new DitKvCache(cpuDit.Config.Layers, 2, 1);
        using var gpuCache = new DitKvCache(gpuDit.Config.Layers, 2, 1);
        var latent = NoiseGenerator.StandardNormal(31, Shape.Aggregate(1, (a, b) => a * b));
        int plane = Shape[2] * Shape[3];
        double worst = 0;
        for (int c = 0; c < Frames / ChunkFrames; c++)
        {
            var values = Enumerable.Range(0, 16).SelectMany(ch => latent.AsSpan((ch * Frames + c * ChunkFrames) * plane, ChunkFrames * plane).ToArray()).ToArray();
            var chunkShape = new Shape(16, ChunkFrames, Shape[2], Shape[3]);
            using var cpuChunk = cpuDit.Backend.FromHost(values, chunkShape);
            using var gpuChunk = backend.FromHost(values, chunkShape);
            using var expected = cpuDit.ForwardChunk(cpuChunk, 400, cpuText, cpuCache, storeChunk: true);
            device.Reset();
            using var output = gpuDit.ForwardChunk(gpuChunk, 400, gpuText, gpuCache, storeChunk: true);
            Assert.That(device.CopiesToHost, Is.Zero, $"chunk {c}: the cached K/V and the chunk's own stay on the device");
            var error = Metrics.AssertClose(backend.ToHost(output), cpuDit.Backend.ToHost(expected), bound, $"{set} chunk {c} emulated bf16 vs CPU");
            Assert.That(device.CopiesToHost, Is.EqualTo(1), "the counter sees a device→host copy (reading the output)");
            worst = Math.Max(worst, error);
        }
        Assert.That(gpuCache.FramePositions, Is.EqualTo(new[] { 0, 5 }));
        TestContext.Out.WriteLine($"{set}: chunked forwards with the device ring buffer, emulated bf16 vs CPU, worst relative L2 {worst:E2} (bound {bound:E2})");
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.AllSets))]
    public void ChunkedGenerationOnTheEmulatedDeviceMatchesTheCpu(FixtureSet? set)
    {
        set = Fixtures.Require(set);
        var pipelineCase = set.Cases.FirstOrDefault(c => c.Kind == "pipeline");
        Assert.That(pipelineCase, Is.Not.Null, $"{set.Name} has a pipeline case (its bf16 tolerance is the bound)");
        double bound = pipelineCase!.Tolerance("bf16") / 2;
        var request = new GenerationRequest
        {
            Prompt = "a paper boat on a river", Frames = 21, Height = 64, Width = 64, Steps = 3, Shift = 5, GuidanceLow = 1, GuidanceHigh = 1,
            ChunkFrames = 2, KvFrames = 2, SinkFrames = 1, Seed = 8,
        };
        float[] Latent(EngineDevice device)
        {
            using var engine = WanEngine.Open(set.Diffusers, new EngineOptions { Device = device, Precision = DType.BF16 });
            return engine.Generate(request).Latent;
        }
        double error = Metrics.AssertClose(Latent(EngineDevice.CudaEmulated), Latent(EngineDevice.Cpu), bound, $"{set} chunked generation emulated bf16 vs CPU");
        TestContext.Out.WriteLine($"{set}: chunked generation (6 latent frames, chunks of 2, cache 2 with 1 sink), emulated bf16 vs CPU: relative L2 {error:E2} (bound {bound:E2})");
    }
}
