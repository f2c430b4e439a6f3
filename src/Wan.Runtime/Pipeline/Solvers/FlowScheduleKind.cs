namespace Wan.Runtime.Pipeline.Solvers;

/// <summary>How a schedule's sigmas are laid out (the two ways the official Wan loop sets its schedulers up).</summary>
public enum FlowScheduleKind
{
    /// <summary>
    /// <c>set_timesteps(steps, shift=shift)</c>: <c>linspace(sigma_max, 0, N+1)[:N]</c> with sigma_max = float32(1 - 1/T)
    /// from the training grid, then shifted. What the official T2V loop uses for UniPC.
    /// </summary>
    TrainingGrid,

    /// <summary>
    /// <c>set_timesteps(sigmas=get_sampling_sigmas(steps, shift))</c>: <c>linspace(1, 0, N+1)[:N]</c>, shifted; starts
    /// at sigma 1 (timestep T). What the official T2V loop uses for DPM++.
    /// </summary>
    SamplingSigmas,
}
