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

    /// <summary>The original Wan2.2 T2V-A14B settings (UniPC, 40 steps, shift 12, guidance 3/4).</summary>
    public static SamplingPreset Official { get; } = new("official", "unipc", FlowSolvers.T2VA14BSteps, FlowSolvers.T2VA14BShift,
        WanDefaults.GuidanceLow, WanDefaults.GuidanceHigh);

    /// <summary>Every preset, by name.</summary>
    public static IReadOnlyList<SamplingPreset> All { get; } = [Official, Lightning];

    /// <summary>The preset called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No preset has that name (the message lists them).</exception>
    public static SamplingPreset Named(string name) =>
        All.FirstOrDefault(p => p.Name == name)
        ?? throw new ArgumentException($"unknown preset '{name}'; expected one of {string.Join(", ", All.Select(p => p.Name))}", nameof(name));
}
