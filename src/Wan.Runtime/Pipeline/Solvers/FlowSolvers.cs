namespace Wan.Runtime.Pipeline.Solvers;

/// <summary>Creates a solver by name with the schedule the official Wan loop pairs with it.</summary>
public static class FlowSolvers
{
    /// <summary>
    /// The timestep shift of the original Wan2.2 T2V-A14B config (<c>sample_shift</c> = 12.0). diffusers'
    /// converted configs say <c>flow_shift</c> 3.0, which is not what the original samples with.
    /// </summary>
    public const double T2VA14BShift = 12.0;

    /// <summary>Sampling steps of the original T2V-A14B config (<c>sample_steps</c>).</summary>
    public const int T2VA14BSteps = 40;

    /// <summary>Length of Wan's training timestep grid.</summary>
    public const int WanTrainTimesteps = 1000;

    /// <summary>Solver names <see cref="Create"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["unipc", "dpm++", "euler", StepDistill, Renoising];

    /// <summary>The name of LightX2V's 4-step distill sampler (<see cref="FlowStepDistillSolver"/>).</summary>
    public const string StepDistill = "step-distill";

    /// <summary>The name of Self-Forcing's 4-step sampler, which re-noises with fresh noise (<see cref="FlowRenoisingSolver"/>).</summary>
    public const string Renoising = "self-forcing";

    /// <summary>
    /// Why solver <paramref name="name"/> cannot take <paramref name="steps"/> steps, or null when it can: the
    /// step-distill sampler takes exactly the steps of its step list; the others take any count 1 to
    /// <see cref="WanTrainTimesteps"/>, which the request checks itself.
    /// </summary>
    public static string? StepCountProblem(string name, int steps) =>
        name is StepDistill or Renoising && steps != FlowStepDistillSolver.Wan22DenoisingSteps.Count
            ? $"the {name} sampler takes the {FlowStepDistillSolver.Wan22DenoisingSteps.Count} steps of its step list " +
              $"[{string.Join(", ", FlowStepDistillSolver.Wan22DenoisingSteps)}]"
            : null;

    /// <summary>
    /// A fresh solver. <paramref name="name"/>: "unipc" (the official default), "dpm++", "euler" or
    /// "step-distill" (LightX2V's Wan2.2 4-step sampler: exactly 4 steps, its own step list and expert switch;
    /// <paramref name="schedule"/> does not apply to it) or "self-forcing" (the same steps re-noised with fresh noise of
    /// <paramref name="noiseSeed"/>, <see cref="FlowRenoisingSolver"/>). <paramref name="schedule"/> defaults to what the official
    /// loop uses: the training grid for UniPC, the sampling sigmas (starting at sigma 1) for DPM++ and Euler.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown name, or a step count the solver cannot take (the message says which).</exception>
    public static IFlowSolver Create(string name, int steps, double shift = T2VA14BShift,
        int numTrainTimesteps = WanTrainTimesteps, FlowScheduleKind? schedule = null, long noiseSeed = 0)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name switch
        {
            "unipc" => new FlowUniPcSolver(Schedule(FlowScheduleKind.TrainingGrid)),
            "dpm++" => new FlowDpmSolver(Schedule(FlowScheduleKind.SamplingSigmas)),
            "euler" => new FlowEulerSolver(Schedule(FlowScheduleKind.SamplingSigmas)),
            StepDistill when StepCountProblem(name, steps) is { } problem => throw new ArgumentException($"{problem}; got {steps} steps", nameof(steps)),
            Renoising when StepCountProblem(name, steps) is { } problem => throw new ArgumentException($"{problem}; got {steps} steps", nameof(steps)),
            Renoising => new FlowRenoisingSolver(FlowStepDistillSolver.Wan22DenoisingSteps, shift, noiseSeed, numTrainTimesteps),
            StepDistill => new FlowStepDistillSolver(FlowStepDistillSolver.Wan22DenoisingSteps, shift, FlowStepDistillSolver.Wan22BoundaryStep, numTrainTimesteps),
            _ => throw new ArgumentException($"unknown solver '{name}'; expected one of {string.Join(", ", Names)}", nameof(name)),
        };

        FlowSchedule Schedule(FlowScheduleKind official) =>
            FlowSchedule.Create(schedule ?? official, steps, shift, numTrainTimesteps);
    }
}
