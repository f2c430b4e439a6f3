using Wan.Kernels.Device;
using Wan.Runtime.Backends;
using Wan.Runtime.Backends.Cuda;
using Wan.Runtime.Config;
using Wan.Runtime.Models.Dit;
using Wan.Runtime.Models.Umt5;
using Wan.Runtime.Models.Vae;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Planning;

/// <summary>
/// The text encoder and the VAE decode run on the dry-run device (the CUDA backend declares both families): loaded
/// from a model directory (safetensors headers, no byte read) or from shape-only weights for the preset (umT5-XXL,
/// the Wan2.1 VAE), run at full size, released. Each gives a recorded stage: peak over what was live before, launches,
/// GEMMs, FLOPs and bytes; time = each recorded GEMM at its roofline floor (the other kernels are not timed).
/// </summary>
internal static class DryRunComponents
{
    /// <summary>
    /// Both prompts encoded at 512 tokens. A model directory runs <see cref="Umt5Encoder.Encode(ReadOnlySpan{int})"/> (row 0 of the
    /// mapped embedding); the preset's shape-only table has no rows, so its layers start from zero rows copied to the device, as
    /// <see cref="Umt5Encoder.Embed"/> copies the gathered ones.
    /// </summary>
    public static RecordedComponent TextEncode(DryRunLog log, CudaBackend backend, string? dir, GpuSpec gpu)
    {
        var start = new Start(log);
        var encoder = dir is null
            ? Umt5Encoder.Load(backend, ShapeOnlyUmt5Weights.Xxl, new ShapeOnlyUmt5Weights(ShapeOnlyUmt5Weights.Xxl, "preset a14b/text_encoder"))
            : Umt5Encoder.Load(backend, Path.Combine(dir, "text_encoder"));
        long weights;
        using (encoder)
        {
            weights = log.LiveBytes - start.Live;
            var ids = new int[DitConfig.TextLength];
            for (int prompt = 0; prompt < 2; prompt++)
            {
                if (dir is null)
                {
                    var shape = new Shape(ids.Length, encoder.Config.DModel);
                    using var rows = backend.FromHost(new float[shape.ElementCount], shape);
                    encoder.EncodeEmbedded(rows, ids.Length).Dispose();
                }
                else
                {
                    encoder.Encode(ids).Dispose();
                }
            }
        }
        return new RecordedComponent(start.Stage("text encode", gpu), weights);
    }

    /// <summary>
    /// The latent [16, F, H, W] decoded as <c>WanPipeline.DecodeInto</c> does on the device (<see cref="DecodeAsThePipeline"/>):
    /// whole frames, or <paramref name="tiling"/>'s tiles (stage "decode, tiles of N").
    /// </summary>
    public static RecordedComponent Decode(DryRunLog log, CudaBackend backend, string? dir, IReadOnlyList<int> latentShape, GpuSpec gpu, VaeTiling? tiling = null)
    {
        var start = new Start(log);
        using var source = dir is null ? new ShapeOnlyVaeWeights(ShapeOnlyVaeWeights.Wan21, "preset a14b/vae") : null;
        using var vae = source is null ? WanVae.Load(backend, Path.Combine(dir!, "vae")) : WanVae.Load(backend, ShapeOnlyVaeWeights.Wan21, source);
        long weights = log.LiveBytes - start.Live;
        vae.Tiling = tiling;
        DecodeAsThePipeline(backend, vae, new float[new Shape([.. latentShape]).ElementCount], latentShape);
        return new RecordedComponent(start.Stage(tiling is null ? "decode" : $"decode, tiles of {tiling.TileLatentPixels}", gpu), weights, tiling);
    }

    /// <summary>
    /// The device work of <c>WanPipeline.DecodeInto</c> without its sink: <paramref name="latent"/> [16, F, H, W] uploaded,
    /// one im2col buffer shared by the decode's convolutions, <see cref="WanVae.DecodeChunks"/> latent frame by latent
    /// frame, each chunk checked for NaN/Inf and copied to the host, then freed. Also what <c>Wan.Bench gpu-check</c> times
    /// on a GPU beside this recording.
    /// </summary>
    internal static void DecodeAsThePipeline(CudaBackend backend, WanVae vae, float[] latent, IReadOnlyList<int> latentShape)
    {
        using var z = backend.FromHost(latent, new Shape([.. latentShape]));
        using var columns = ((IConvWorkspace)backend).ShareConvColumns();
        foreach (var chunk in vae.DecodeChunks(z))
        {
            using (chunk)
            {
                backend.CountNonFinite(chunk);
                backend.ToHost(chunk);
            }
        }
    }

    /// <summary>The log's totals when a component began (its peak reset to what is live then).</summary>
    private sealed class Start
    {
        private readonly DryRunLog _log;
        private readonly long _launches, _gemms;
        private readonly double _flops, _bytes;
        private readonly Dictionary<DryRunCall, long> _ran;

        public Start(DryRunLog log)
        {
            _log = log;
            log.ResetPeak();
            Live = log.LiveBytes;
            (_launches, _gemms, _flops, _bytes, _ran) = (log.Launches, log.Gemms, log.GemmFlops, log.GemmBytes, log.SnapshotRan());
        }

        public long Live { get; }

        public StagePlan Stage(string name, GpuSpec gpu)
        {
            double seconds = _log.Ran.Where(p => p.Key.Kind == DryRunCallKind.Gemm)
                .Sum(p => (p.Value - _ran.GetValueOrDefault(p.Key)) * gpu.FloorSeconds(p.Key.Flops, p.Key.Bytes));
            return new StagePlan(name, "recorded", 0, _log.PeakBytes - Live, _log.Launches - _launches, _log.Gemms - _gemms,
                _log.GemmFlops - _flops, _log.GemmBytes - _bytes, seconds, 0, 0);
        }
    }
}

/// <summary>A recorded text-encode or decode stage (peak relative to what was live before it), the device bytes of its weights, and the decode's tiling (null: whole frames).</summary>
internal sealed record RecordedComponent(StagePlan Stage, long WeightBytes, VaeTiling? Tiling = null);
