using System.Diagnostics;
using Wan.Runtime.Backends;
using Wan.Runtime.Models.Dit;
using Wan.Runtime.Tensors;

namespace Wan.Runtime.Pipeline.Batching;

/// <summary>
/// Denoises several requests of one latent shape together, each at its own step (continuous batching):
/// <see cref="Step"/> advances every active job by one step. A job contributes two samples, its cond and
/// uncond branch (classifier-free guidance as one batch of two); each sample is routed to the expert of
/// its job's timestep (<see cref="ExpertSchedule.IsHighNoise"/>), the latents of each expert's samples
/// are gathered into one contiguous batch on the DiT backend, the expert runs one batched forward
/// (<see cref="WanTransformer.ForwardBatch"/>: its weights read once for the whole group), and the
/// predictions are scattered back to the batch order. Guidance and the solver update then run per job on
/// the host, as in <see cref="WanPipeline.Denoise"/>; on the CPU backend every job's latents equal that
/// loop's run alone bit for bit.
/// </summary>
/// <remarks>
/// Not thread-safe, and it runs forwards on the engine's DiT backend: do not step it while a
/// <c>WanEngine.Generate</c> runs on the same engine. Experts are the pipeline's (weights shared).
/// </remarks>
public sealed class BatchDenoiser : IDisposable
{
    private readonly WanTransformer _high;
    private readonly WanTransformer? _low;
    private readonly List<DenoiseJob> _active = [];

    /// <summary>A batcher over the experts of a loaded pipeline (their backend must offer <see cref="IRoutingOps"/>).</summary>
    /// <exception cref="NotSupportedException">the DiT backend has no routing ops.</exception>
    public BatchDenoiser(WanPipeline pipeline, bool checkNonFinite = true)
    {
        _high = pipeline.HighNoise;
        _low = pipeline.LowNoise;
        Backend = _high.Backend as IRoutingOps ?? throw new NotSupportedException($"{_high.Backend.Name} has no expert-routing ops: batched denoising needs them");
        CheckNonFinite = checkNonFinite;
    }

    /// <summary>The DiT backend the batches run on.</summary>
    public IRoutingOps Backend { get; }

    /// <summary>Whether both predictions of every sample and every job's latent are checked for NaN/Inf after each step.</summary>
    public bool CheckNonFinite { get; }

    /// <summary>The jobs not yet finished, in admission order.</summary>
    public IReadOnlyList<DenoiseJob> Active => _active;

    /// <summary>Adds a job; it takes its first step at the next <see cref="Step"/>.</summary>
    /// <exception cref="ArgumentException">its latent shape differs from the active jobs', or it is already finished or admitted.</exception>
    public void Admit(DenoiseJob job)
    {
        if (_active.Count > 0 && job.Shape != _active[0].Shape)
        {
            throw new ArgumentException($"job {job.Id}: latent {job.Shape} cannot join a batch of {_active[0].Shape} latents");
        }
        if (job.Finished || _active.Contains(job))
        {
            throw new ArgumentException($"job {job.Id}: already finished or admitted");
        }
        job.StartClock();
        _active.Add(job);
    }

    /// <summary>
    /// One step of every active job (cancelled jobs are dropped first and returned with the finished ones).
    /// Returns the jobs that left the batch: finished (<see cref="DenoiseJob.Finished"/>) or cancelled.
    /// </summary>
    /// <exception cref="NonFiniteLatentException">a prediction or a latent holds NaN/Inf (when <see cref="CheckNonFinite"/>); names the job.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> stopped the whole batch (between blocks).</exception>
    public IReadOnlyList<DenoiseJob> Step(CancellationToken cancellation = default)
    {
        var left = _active.Where(j => j.Cancellation.IsCancellationRequested).ToList();
        _active.RemoveAll(left.Contains);
        if (_active.Count == 0)
        {
            return left;
        }
        var stepClock = Stopwatch.StartNew();
        var jobs = _active.ToArray();
        var shape = jobs[0].Shape;
        int size = checked((int)shape.ElementCount);
        var expertOfSample = new WanTransformer[2 * jobs.Length];
        for (int j = 0; j < jobs.Length; j++)
        {
            expertOfSample[2 * j] = expertOfSample[2 * j + 1] = ExpertFor(jobs[j]);
        }

        var stacked = new float[checked(jobs.Length * size)];
        for (int j = 0; j < jobs.Length; j++)
        {
            jobs[j].Latent.CopyTo(stacked, j * size);
        }
        using var latents = Backend.FromHost(stacked, new Shape(jobs.Length, size));
        using var predictions = Backend.FromHost(new float[checked(2L * jobs.Length * size)], new Shape(2 * jobs.Length, size));
        foreach (var (expert, samples) in ExpertRouting.Group(expertOfSample))
        {
            using var jobRows = Backend.UploadRowIndex([.. samples.Select(s => s / 2)], jobs.Length);
            using var sampleRows = Backend.UploadRowIndex(samples, 2 * jobs.Length);
            using var gathered = Backend.GatherRows(latents, jobRows);
            var timesteps = samples.Select(s => (double)jobs[s / 2].NextTimestep).ToArray();
            var texts = samples.Select(s => s % 2 == 0 ? jobs[s / 2].Texts(expert).Cond : jobs[s / 2].Texts(expert).Uncond).ToArray();
            using var predicted = expert.ForwardBatch(gathered, shape, timesteps, texts, cancellation);
            Backend.ScatterRowsInPlace(predictions, predicted, sampleRows);
        }
        var host = Backend.ToHost(predictions);

        for (int j = 0; j < jobs.Length; j++)
        {
            var job = jobs[j];
            long t = job.NextTimestep;
            var name = ExpertName(expertOfSample[2 * j]);
            var cond = host.AsSpan(2 * j * size, size).ToArray();
            var uncond = host.AsSpan((2 * j + 1) * size, size).ToArray();
            if (CheckNonFinite && HostMath.CountNonFinite(cond) + HostMath.CountNonFinite(uncond) is > 0 and var inPrediction)
            {
                throw NonFiniteLatentException.Denoising(job.StepsDone + 1, job.Solver.StepCount, name, t,
                    $"the DiT prediction of job {job.Id}", inPrediction, Backend.Storage, Backend.Name);
            }
            var v = GuidedExpertStep.Combine(cond, uncond, (float)job.Experts.Guidance(t));
            job.Solver.Step(v, job.StepsDone, job.Latent);
            if (CheckNonFinite && HostMath.CountNonFinite(job.Latent) is > 0 and var inLatent)
            {
                throw NonFiniteLatentException.Denoising(job.StepsDone + 1, job.Solver.StepCount, name, t,
                    $"the latent of job {job.Id} after the solver update", inLatent, DType.F32, "the host");
            }
            job.StepsDone++;
            job.Progress?.Invoke(new GenerationProgress(GenerationStage.Denoising, job.StepsDone, job.Solver.StepCount, name, t,
                job.Elapsed, stepClock.Elapsed, job.Latent));
        }
        var finished = jobs.Where(j => j.Finished).ToList();
        _active.RemoveAll(finished.Contains);
        left.AddRange(finished);
        return left;
    }

    /// <summary>Steps until every active job has left the batch; returns them in the order they left.</summary>
    /// <exception cref="NonFiniteLatentException">see <see cref="Step"/>.</exception>
    /// <exception cref="OperationCanceledException">see <see cref="Step"/>.</exception>
    public IReadOnlyList<DenoiseJob> RunToEnd(CancellationToken cancellation = default)
    {
        var done = new List<DenoiseJob>();
        while (_active.Count > 0)
        {
            done.AddRange(Step(cancellation));
        }
        return done;
    }

    private WanTransformer ExpertFor(DenoiseJob job) => _low is null || job.Experts.IsHighNoise(job.NextTimestep) ? _high : _low;

    private string ExpertName(WanTransformer expert) =>
        _low is null ? "transformer" : ReferenceEquals(expert, _high) ? "transformer (high noise)" : "transformer_2 (low noise)";

    /// <summary>Frees the prepared text K/V of the jobs still active (finished jobs are their callers' to dispose).</summary>
    public void Dispose()
    {
        _active.ForEach(j => j.Dispose());
        _active.Clear();
    }
}
