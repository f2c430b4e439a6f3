using System.Diagnostics;
using Wan.Kernels.Device;
using Wan.Kernels.Roofline;
using Wan.Runtime.Backends;
using Wan.Runtime.Backends.Cuda;
using Wan.Runtime.Config;
using Wan.Runtime.Models.Dit;
using Wan.Runtime.Pipeline;
using Wan.Runtime.Pipeline.Solvers;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Planning;

/// <summary>
/// Plans a generation on a GPU without one (<c>wan plan</c>): the DiT experts are loaded on the CUDA
/// backend over a <see cref="DryRunDevice"/> (shape-only weights for the preset; a model directory's
/// safetensors headers, no page read) and the denoising loop runs at full size, recording each expert
/// stage's peak memory, launches and GEMMs; the text encoder and the VAE decode are recorded the same way
/// (<see cref="DryRunComponents"/>: shape-only umT5-XXL and Wan2.1 VAE weights for the preset).
/// Time is modelled from the GPU's spec sheet: every recorded GEMM at its roofline floor, the other
/// kernels from <see cref="RooflineTable"/>. Weight residency (<see cref="WeightResidency"/>) is chosen
/// as the first that fits: both experts (recorded), the active expert only, or streamed blocks (modelled
/// from the recorded peaks by moving weights out).
/// </summary>
public static class DeploymentPlanner
{
    /// <summary>Memory modelled for the CUDA context, cuBLAS handle and workspace and allocator slack: 1.5 GB.</summary>
    public const long ReserveBytes = 1_500_000_000;

    /// <summary>One Wan2.2-T2V-A14B expert (transformer/config.json of Wan-AI/Wan2.2-T2V-A14B-Diffusers): 40 heads × 128, ffn 13824, 40 layers.</summary>
    public static DitConfig A14BExpert { get; } = new(40, 128, 16, 16, 4096, 256, 13824, 40, (1, 2, 2), 1e-6f, true, 1024);

    /// <summary>The source of a recorded stage whose weights the residency moves off the device (peak and copies modelled from the recording).</summary>
    private const string MovedWeights = "recorded, weights modelled";

    /// <summary>The A14B expert switch: the high-noise expert runs from 0.875 of the training timesteps (model_index.json boundary_ratio).</summary>
    public const double A14BBoundaryRatio = 0.875;

    /// <summary>The A14B geometry: 16 latent channels, VAE strides 4 (time) and 8 (space), patch (1, 2, 2).</summary>
    public static ModelGeometry A14BGeometry { get; } = new(16, 4, 8, (1, 2, 2), 1024);

    /// <summary>Plans <paramref name="request"/>.</summary>
    /// <exception cref="Wan.Errors.RequestException">the video size or steps cannot run on the model (names the setting).</exception>
    /// <exception cref="Wan.Errors.ModelFileException">the model directory is missing or has no model_index.json.</exception>
    /// <exception cref="Wan.Errors.ConfigException">a config is malformed.</exception>
    /// <exception cref="InvalidDataException">a safetensors header is corrupt or disagrees with the config.</exception>
    public static DeploymentPlan Plan(PlanRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var dir = request.ModelDirectory;
        var geometry = dir is null ? A14BGeometry : ModelGeometry.Load(dir);
        var index = dir is null ? null : ModelIndexConfig.Load(dir);
        double? boundary = dir is null ? A14BBoundaryRatio : index!.BoundaryRatio;
        var latentShape = new GenerationRequest { Prompt = "plan", Frames = request.Frames, Height = request.Height, Width = request.Width, Steps = request.Steps }
            .LatentShape(geometry);

        DecodePlans.CheckBudget(dir, latentShape, request);
        var clock = Stopwatch.StartNew();
        using var device = new DryRunDevice();
        using var backend = new CudaBackend(device, DType.BF16);
        var log = device.Log;
        var text = DryRunComponents.TextEncode(log, backend, dir, request.Gpu);
        var decode = DryRunComponents.Decode(log, backend, dir, latentShape, request.Gpu);
        using var high = Load(backend, dir, "transformer");
        long highBytes = log.LiveBytes;
        using var low = dir is null || index!.HasSecondExpert ? Load(backend, dir, "transformer_2") : null;
        long lowBytes = log.LiveBytes - highBytes;
        var solver = FlowSolvers.Create("unipc", request.Steps);
        var experts = new ExpertSchedule(boundary, FlowSolvers.WanTrainTimesteps, WanDefaults.GuidanceLow, WanDefaults.GuidanceHigh);
        var records = DryRunDenoise.Run(log, high, low, latentShape, solver, experts, DitConfig.TextLength);
        double dryRunSeconds = clock.Elapsed.TotalSeconds;

        var config = high.Config;
        long tokens = (long)latentShape[1] / config.Patch.T * (latentShape[2] / config.Patch.H) * (latentShape[3] / config.Patch.W);
        var gpu = request.Gpu;
        var dit = records.Select(r => TimeDitStage(r, config, tokens, gpu)).ToList();
        var blocks = new ExpertBlocks(config, highBytes, lowBytes);

        var plans = new Dictionary<WeightResidency, List<StagePlan>>();
        var decodes = new DecodePlans(log, backend, dir, latentShape, request, decode);
        foreach (var residency in Enum.GetValues<WeightResidency>())
        {
            long resident = residency == WeightResidency.BothExperts ? highBytes + lowBytes : 0;
            plans[residency] = Stages(residency, dit, records, blocks, gpu, text, decodes.Beside(resident));
        }
        var peaks = plans.ToDictionary(p => p.Key, p => p.Value.Max(s => s.PeakBytes));
        var chosen = peaks.Where(p => p.Value + ReserveBytes <= request.BudgetBytes).Select(p => (WeightResidency?)p.Key).FirstOrDefault()
            ?? WeightResidency.StreamedBlocks;
        return new DeploymentPlan(dir ?? "Wan2.2-T2V-A14B (preset)", request, latentShape, tokens, low is null ? [highBytes] : [highBytes, lowBytes],
            chosen, peaks, plans[chosen], ReserveBytes, dryRunSeconds);
    }

    private static WanTransformer Load(CudaBackend backend, string? dir, string subfolder)
    {
        if (dir is not null)
        {
            return WanTransformer.Load(backend, Path.Combine(dir, subfolder));
        }
        using var weights = new ShapeOnlyDitWeights(A14BExpert, $"preset a14b/{subfolder}");
        return WanTransformer.Load(backend, A14BExpert, weights);
    }

    /// <summary>A recorded stage timed: each distinct GEMM at its floor × its count, the other kernels from the roofline table (2 forwards per step).</summary>
    private static StagePlan TimeDitStage(DitStageRecord record, DitConfig c, long tokens, GpuSpec gpu)
    {
        double gemmSeconds = record.Ran.Where(p => p.Key.Kind == DryRunCallKind.Gemm).Sum(p => p.Value * gpu.FloorSeconds(p.Key.Flops, p.Key.Bytes));
        var shape = new DitShape(c.Dim, c.FfnDim, c.Heads, c.Layers, DitConfig.TextLength, c.FreqDim, c.InChannels * c.Patch.T * c.Patch.H * c.Patch.W);
        var kernels = RooflineTable.PerForward(shape, tokens).Where(r => r.Kind == "kernel").ToList();
        double forwards = 2.0 * record.Steps;
        double kernelFlops = forwards * kernels.Sum(r => r.Flops), kernelBytes = forwards * kernels.Sum(r => r.Bytes);
        double kernelSeconds = forwards * kernels.Sum(r => gpu.FloorSeconds(r.Flops, r.Bytes));
        return new StagePlan(record.Stage, "recorded", record.Steps, record.PeakBytes, record.Launches, record.Gemms,
            record.GemmFlops + kernelFlops, record.GemmBytes + kernelBytes, gemmSeconds + kernelSeconds, 0, 0);
    }

    private static List<StagePlan> Stages(WeightResidency residency, List<StagePlan> dit, IReadOnlyList<DitStageRecord> records, ExpertBlocks blocks,
        GpuSpec gpu, RecordedComponent text, RecordedComponent decode)
    {
        long allExperts = blocks.HighBytes + blocks.LowBytes;
        long resident = residency == WeightResidency.BothExperts ? allExperts : 0;
        var stages = new List<StagePlan> { Component(text, resident, gpu) };
        double previousStepSeconds = 0;
        for (int i = 0; i < dit.Count; i++)
        {
            var stage = dit[i];
            bool isHigh = i == 0;
            long active = isHigh ? blocks.HighBytes : blocks.LowBytes, other = allExperts - active;
            long recordedPeak = records[i].PeakBytes;
            double stepSeconds = stage.ComputeSeconds / Math.Max(1, stage.Steps);
            stages.Add(residency switch
            {
                WeightResidency.BothExperts => stage,
                // The first expert is copied in before its first step; the second is prefetched during the last step of the first.
                WeightResidency.ActiveExpert => WithCopy(stage with { PeakBytes = recordedPeak - other, Source = MovedWeights }, gpu.PcieSeconds(active),
                    isHigh ? gpu.PcieSeconds(active) : Math.Max(0, gpu.PcieSeconds(active) - previousStepSeconds)),
                _ => Streamed(stage, recordedPeak - allExperts + blocks.Resident(active), blocks.StreamedBytes(active), blocks.BlockBytes(active), stepSeconds, gpu),
            });
            previousStepSeconds = stepSeconds;
        }
        stages.Add(Component(decode, resident, gpu));
        return stages;
    }

    /// <summary>A recorded text-encode or decode stage beside the experts the residency keeps resident, its weights copied in before it runs.</summary>
    private static StagePlan Component(RecordedComponent component, long residentBytes, GpuSpec gpu)
    {
        double copy = gpu.PcieSeconds(component.WeightBytes);
        return WithCopy(component.Stage with { PeakBytes = checked(component.Stage.PeakBytes + residentBytes) }, copy, copy);
    }

    /// <summary>Every step copies all blocks once (both CFG branches run block by block); block i+1 copies while block i computes, so per step only the excess and the first block show.</summary>
    private static StagePlan Streamed(StagePlan stage, long peak, long streamedBytes, long blockBytes, double stepSeconds, GpuSpec gpu)
    {
        double copy = gpu.PcieSeconds(streamedBytes);
        double exposed = Math.Max(0, copy - stepSeconds) + gpu.PcieSeconds(blockBytes);
        return WithCopy(stage with { PeakBytes = peak, Source = MovedWeights }, stage.Steps * copy, stage.Steps * exposed);
    }

    private static StagePlan WithCopy(StagePlan stage, double pcie, double exposed) => stage with { PcieSeconds = pcie, ExposedPcieSeconds = exposed };

    /// <summary>
    /// How an expert's weights split into its transformer blocks and the rest (embeddings, time MLP, head),
    /// from the weight list of <see cref="ShapeOnlyDitWeights"/>; the streamed residency keeps the rest and two block buffers.
    /// </summary>
    private sealed class ExpertBlocks
    {
        private readonly long _oneBlock;
        private readonly int _layers;

        public ExpertBlocks(DitConfig config, long highBytes, long lowBytes)
        {
            using var weights = new ShapeOnlyDitWeights(config, "plan");
            _oneBlock = weights.Names.Where(n => n.StartsWith("blocks.0.", StringComparison.Ordinal)).Sum(n => weights.Get(n).ByteLength);
            _layers = config.Layers;
            (HighBytes, LowBytes) = (highBytes, lowBytes);
        }

        public long HighBytes { get; }

        public long LowBytes { get; }

        public long BlockBytes(long expertBytes) => expertBytes == 0 ? 0 : _oneBlock;

        public long StreamedBytes(long expertBytes) => expertBytes == 0 ? 0 : _oneBlock * _layers;

        /// <summary>The non-block weights and two staging blocks of the active expert.</summary>
        public long Resident(long expertBytes) => expertBytes - StreamedBytes(expertBytes) + 2 * BlockBytes(expertBytes);
    }
}
