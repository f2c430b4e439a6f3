namespace Wan.Runtime.Pipeline.Solvers;

/// <summary>
/// A named set of sampling settings that go together (solver, steps, shift, guidance), selected by
/// <c>wan generate --preset NAME</c> or a style's manifest; explicit options override each field.
/// </summary>
/// <param name="Name">What the user types.</param>
/// <param name="Solver">A name of <see cref="FlowSolvers.Names"/>.</param>
/// <param name="Steps">Sampling steps.</param>
/// <param name="Shift">Timestep shift.</param>
/// <param name="GuidanceLow">Guidance of the low-noise expert; 1 means no CFG (one forward per step).</param>
/// <param name="GuidanceHigh">Guidance of the high-noise expert; 1 means no CFG.</param>
public sealed record SamplingPreset(string Name, string Solver, int Steps, double Shift, double GuidanceLow, double GuidanceHigh)
{
    /// <summary>
    /// The 4-step distilled path of the lightx2v Wan2.2 distill LoRAs: <see cref="FlowStepDistillSolver"/>, 4 steps,
    /// shift 5, no CFG (LightX2V configs/distill/wan22/wan_moe_t2v_distill_lora.json). The distill LoRAs themselves
    /// are not part of the preset (a style names them).
    /// </summary>
    public static SamplingPreset Lightning { get; } = new("lightning", FlowSolvers.StepDistill,
        FlowStepDistillSolver.Wan22DenoisingSteps.Count, FlowStepDistillSolver.Wan22Shift, 1.0, 1.0);

    /// <summary>
    /// Self-Forcing's chunked few-step loop (github.com/guandeh17/Self-Forcing, configs/self_forcing_dmd.yaml and
    /// pipeline/causal_inference.py): <c>denoising_step_list</c> [1000, 750, 500, 250] warped onto the shift-5 training grid
    /// (model timesteps 1000, 937.5, 833.3, 625), no CFG, chunks of
    /// <c>num_frame_per_block</c> = 3 latent frames (<see cref="ChunkFrames"/>), the cache refilled at <c>context_noise</c> 0.
    /// Between steps the predicted clean latent is re-noised with fresh seeded noise (<see cref="FlowRenoisingSolver"/>).
    /// </summary>
    public static SamplingPreset SelfForcing { get; } = new("self-forcing", FlowSolvers.Renoising,
        FlowStepDistillSolver.Wan22DenoisingSteps.Count, FlowStepDistillSolver.Wan22Shift, 1.0, 1.0) { ChunkFrames = 3 };

    /// <summary>Latent frames per chunk of chunked generation the preset runs with (<c>--chunk-frames</c>); null: not chunked.</summary>
    public int? ChunkFrames { get; init; }

    /// <summary>The original Wan2.2 T2V-A14B settings (UniPC, 40 steps, shift 12, guidance 3/4).</summary>
    public static SamplingPreset Official { get; } = new("official", "unipc", FlowSolvers.T2VA14BSteps, FlowSolvers.T2VA14BShift,
        WanDefaults.GuidanceLow, WanDefaults.GuidanceHigh);

    /// <summary>Every preset, by name.</summary>
    public static IReadOnlyList<SamplingPreset> All { get; } = [Official, Lightning, SelfForcing];

    /// <summary>The preset called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No preset has that name (the message lists them).</exception>
    public static SamplingPreset Named(string name) =>
        All.FirstOrDefault(p => p.Name == name)
        ?? throw new ArgumentException($"unknown preset '{name}'; expected one of {string.Join(", ", All.Select(p => p.Name))}", nameof(name));
}
