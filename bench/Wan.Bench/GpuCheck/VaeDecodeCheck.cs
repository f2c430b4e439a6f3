using System.Diagnostics;
using System.Runtime.InteropServices;
using Wan.Kernels.Device;
using Wan.Kernels.Numerics;
using Wan.Runtime.Backends.Cuda;
using Wan.Runtime.Models.Vae;
using Wan.Runtime.Planning;
using Wan.Runtime.Tensors;
using Wan.Runtime.Weights;

namespace Wan.Bench.GpuCheck;

/// <summary>
/// The 720p × 81 VAE decode on the GPU, against the dry run that <c>wan plan</c> records: the Wan2.1 VAE
/// (<see cref="ShapeOnlyVaeWeights.Wan21"/> shapes, random bf16 weights written once to a temp file) decodes a random latent
/// [16, 21, 90, 160] as <c>WanPipeline.DecodeInto</c> does (<see cref="DryRunComponents.DecodeAsThePipeline"/>), whole frames and tiled for a 2 GB budget (<see cref="VaeDecodeMemory.Choose"/>,
/// as <c>wan generate --vae-memory 2</c>). Per run: wall seconds, the CudaDevice's peak of allocated bytes and the
/// DryRunDevice's peak for the same calls (weights included in both; the CUDA context and cuBLAS workspace in neither).
/// </summary>
internal static class VaeDecodeCheck
{
    private static readonly int[] LatentShape = [16, 21, 90, 160];
    private const long BudgetBytes = 2_000_000_000;

    /// <summary>The measurement, or its failure as {"error": message} so the report keeps the other measurements.</summary>
    public static Dictionary<string, object> MeasureOrExplain(CudaDevice device)
    {
        try
        {
            return Measure(device);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new() { ["error"] = $"{e.GetType().Name}: {e.Message}" };
        }
    }

    private static Dictionary<string, object> Measure(CudaDevice device)
    {
        var config = ShapeOnlyVaeWeights.Wan21;
        var path = Path.Combine(Path.GetTempPath(), "wan-gpu-check-vae21-bf16.safetensors");
        if (!File.Exists(path))
        {
            Write(path, config);
        }
        var tiling = VaeDecodeMemory.Choose(config, LatentShape[1], LatentShape[2], LatentShape[3], DType.BF16.SizeOf(),
            CudaBackend.DefaultConvColumnBytes, BudgetBytes);
        var results = new Dictionary<string, object> { ["latent"] = string.Join("x", LatentShape) };
        foreach (var (name, run) in new[] { ("whole_frames", (VaeTiling?)null), ($"tiles_of_{tiling?.TileLatentPixels}_for_2_gb", tiling) })
        {
            using var checkpoint = SafetensorsCheckpoint.Open(path);
            var (seconds, peak) = DecodeOnGpu(device, config, checkpoint, run);
            long planned = DecodeOnDryRun(config, run);
            results[name] = new Dictionary<string, object> { ["seconds"] = seconds, ["gpu_peak_bytes"] = peak, ["dry_run_peak_bytes"] = planned };
        }
        return results;
    }

    private static (double Seconds, long PeakBytes) DecodeOnGpu(CudaDevice device, Runtime.Config.VaeConfig config, ITensorSource weights, VaeTiling? tiling)
    {
        device.Synchronize();
        long before = device.AllocatedBytes;
        device.ResetPeak();
        using var backend = new CudaBackend(device, DType.BF16);
        using var vae = WanVae.Load(backend, config, weights);
        var random = new Random(5);
        var latent = new float[LatentShape.Aggregate(1L, (a, b) => a * b)];
        foreach (ref var v in latent.AsSpan())
        {
            v = random.NextSingle() * 2 - 1;
        }
        vae.Tiling = tiling;
        var clock = Stopwatch.StartNew();
        DryRunComponents.DecodeAsThePipeline(backend, vae, latent, LatentShape);
        device.Synchronize();
        return (clock.Elapsed.TotalSeconds, device.PeakBytes - before);
    }

    private static long DecodeOnDryRun(Runtime.Config.VaeConfig config, VaeTiling? tiling)
    {
        using var device = new DryRunDevice();
        using var backend = new CudaBackend(device, DType.BF16);
        using var weights = new ShapeOnlyVaeWeights(config, "gpu-check/vae");
        using var vae = WanVae.Load(backend, config, weights);
        vae.Tiling = tiling;
        DryRunComponents.DecodeAsThePipeline(backend, vae, new float[LatentShape.Aggregate(1L, (a, b) => a * b)], LatentShape);
        return device.Log.PeakBytes;
    }

    /// <summary>Random bf16 weights of every VAE tensor: norms' gammas 1, biases 0, other weights uniform in ±1/√fan-in.</summary>
    private static void Write(string path, Runtime.Config.VaeConfig config)
    {
        using var shapes = new ShapeOnlyVaeWeights(config, "gpu-check/vae");
        var entries = shapes.Names.Select(n => (n, DType.BF16, shapes.Get(n).Shape)).ToList();
        var random = new Random(3);
        using (var writer = new SafetensorsWriter(path, entries))
        {
            foreach (var (name, _, shape) in entries)
            {
                long fanIn = shape.Rank > 1 ? shape.ElementCount / shape[0] : 1;
                float scale = name.EndsWith("gamma", StringComparison.Ordinal) || name.EndsWith("bias", StringComparison.Ordinal) || shape.Rank == 1
                    ? 0 : 1 / MathF.Sqrt(fanIn);
                float constant = name.EndsWith("gamma", StringComparison.Ordinal) ? 1 : 0;
                var values = new ushort[shape.ElementCount];
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = FloatCodec.FloatToBF16(constant + scale * (random.NextSingle() * 2 - 1));
                }
                writer.Write(MemoryMarshal.AsBytes(values.AsSpan()));
            }
            writer.Commit();
        }
    }
}
