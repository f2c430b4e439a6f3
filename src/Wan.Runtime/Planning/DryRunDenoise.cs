using Wan.Kernels.Device;
using Wan.Runtime.Backends;
using Wan.Runtime.Models.Dit;
using Wan.Runtime.Pipeline;
using Wan.Runtime.Pipeline.Solvers;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Planning;

/// <summary>
/// The denoising loop of <see cref="WanPipeline.Denoise"/> (one context window, no step cache, CFG in every
/// step) run on a dry-run device: per expert a <see cref="GuidedExpertStep"/> (text K/V of both prompts,
/// a captured <see cref="DitStepGraph"/>) made at its first step and released at the expert switch, the
/// guided velocity and the solver update on the host every step. Each expert's steps are one recorded
/// stage. The prompts are zero contexts of <c>contextRows</c> rows (the DiT pads them to 512). Streamed experts
/// (<see cref="WanTransformer.IsStreamed"/>) run uncaptured, as in the pipeline, and their block uploads are recorded.
/// </summary>
internal static class DryRunDenoise
{
    public static IReadOnlyList<DitStageRecord> Run(DryRunLog log, WanTransformer high, WanTransformer? low, int[] latentShape,
        IFlowSolver solver, ExpertSchedule experts, int contextRows)
    {
        var backend = high.Backend;
        var contextShape = new Shape(contextRows, high.Config.TextDim);
        using var context = backend.FromHost(new float[contextShape.ElementCount], contextShape);
        using var negative = backend.FromHost(new float[contextShape.ElementCount], contextShape);
        var shape = new Shape(latentShape);
        var latent = new float[shape.ElementCount];
        var stages = new List<DitStageRecord>();
        GuidedExpertStep? step = null;
        WanTransformer? current = null;
        StageStart? open = null;
        void Close()
        {
            if (open is null)
            {
                return;
            }
            var ran = log.SnapshotRan();
            foreach (var (call, count) in open.Ran)
            {
                ran[call] -= count;
            }
            stages.Add(new DitStageRecord(open.Name, open.Steps, log.PeakBytes, log.Launches - open.Launches, log.Gemms - open.Gemms,
                log.GemmFlops - open.Flops, log.GemmBytes - open.Bytes, ran.Where(p => p.Value > 0).ToDictionary(), log.UploadedBytes - open.Uploaded));
        }
        try
        {
            for (int i = 0; i < solver.StepCount; i++)
            {
                double t = solver.ModelTimesteps[i];
                bool isHigh = solver.ExpertBoundaryStep is { } boundary ? experts.BoundaryRatio is not null && i < boundary : experts.IsHighNoise(t);
                var dit = isHigh || low is null ? high : low;
                bool nextIsHigh = i + 1 < solver.StepCount && (solver.ExpertBoundaryStep is { } b ? experts.BoundaryRatio is not null && i + 1 < b : experts.IsHighNoise(solver.ModelTimesteps[i + 1]));
                dit.StreamNext = i + 1 < solver.StepCount && !nextIsHigh && low is not null ? low : high; // streamed blocks: the next step's block 0 is prefetched
                if (!ReferenceEquals(dit, current))
                {
                    Close();
                    step?.Dispose(); // the expert switch: the previous expert's step graph, buffers and text K/V go
                    step = null;
                    log.ResetPeak();
                    open = new StageStart(low is null ? "denoise steps" : isHigh ? "high-noise steps" : "low-noise steps",
                        log.Launches, log.Gemms, log.GemmFlops, log.GemmBytes, log.SnapshotRan(), log.UploadedBytes);
                    current = dit;
                    step = new GuidedExpertStep(dit, context, negative, shape, captureGraph: true, checkNonFinite: true);
                }
                var guidance = (float)(isHigh ? experts.GuidanceHigh : experts.GuidanceLow);
                var (v, _) = step!.Velocity(latent, t, guidance, CancellationToken.None);
                solver.Step(v, i, latent);
                open!.Steps++;
            }
            Close();
            return stages;
        }
        finally
        {
            step?.Dispose();
        }
    }

    /// <summary>The log's totals when a stage began.</summary>
    private sealed record StageStart(string Name, long Launches, long Gemms, double Flops, double Bytes, Dictionary<DryRunCall, long> Ran, long Uploaded)
    {
        public int Steps { get; set; }
    }
}
