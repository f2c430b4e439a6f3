using Wan.Kernels.Device;
using Wan.Runtime.Backends.Cuda;
using Wan.Runtime.Engine;
using Wan.Runtime.Models.Dit;
using Wan.Runtime.Pipeline;
using Wan.Runtime.Pipeline.LongVideo;
using Wan.Runtime.Pipeline.Solvers;
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
[Category("EmulatedEndToEnd")]
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
        using var cpu = WanEngine.Open(set.Diffusers, new EngineOptions { Device = EngineDevice.Cpu });
        using var emulated = WanEngine.Open(set.Diffusers, new EngineOptions
        {
            Device = EngineDevice.Cpu, DitDevice = EngineDevice.CudaEmulated, Precision = DType.BF16,
        });
        using var context = cpu.Pipeline.EncodeText(cpu.Pipeline.Tokenize("a paper boat on a river"));
        var experts = new ExpertSchedule(cpu.Pipeline.Index.BoundaryRatio, FlowSolvers.WanTrainTimesteps, 1, 1);
        int[] shape = [16, 6, 4, 4];
        var noise = NoiseGenerator.StandardNormal(8, shape.Aggregate(1, (a, b) => a * b));
        var schedule = new ChunkSchedule(ChunkFrames: 2, CacheFrames: 2, SinkFrames: 1);
        float[] Latent(WanEngine engine) =>
            engine.Pipeline.DenoiseChunked(context, null, noise, shape, _ => FlowSolvers.Create("unipc", 3, 5.0), experts, schedule);
        double error = Metrics.AssertClose(Latent(emulated), Latent(cpu), bound, $"{set} chunked generation emulated bf16 vs CPU");
        TestContext.Out.WriteLine($"{set}: chunked denoising (6 latent frames of 4x4, chunks of 2, cache 2 with 1 sink, 3 UniPC steps), emulated bf16 vs CPU: relative L2 {error:E2} (bound {bound:E2})");
    }
}
