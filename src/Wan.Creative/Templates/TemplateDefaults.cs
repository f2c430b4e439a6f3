namespace Wan.Creative.Templates;

/// <summary>Settings a template pins unless the user sets them; null = not pinned.</summary>
/// <param name="Width">Width in pixels (multiple of 16).</param>
/// <param name="Height">Height in pixels (multiple of 16).</param>
/// <param name="Frames">Frame count (4k+1).</param>
/// <param name="Steps">Sampling steps (1..200).</param>
/// <param name="GuidanceLow">Guidance of the low-noise expert (0..30).</param>
/// <param name="GuidanceHigh">Guidance of the high-noise expert (0..30).</param>
/// <param name="Shift">Timestep shift (0, 100].</param>
/// <param name="Solver">Solver name (<see cref="Wan.Runtime.Pipeline.Solvers.FlowSolvers.Names"/>).</param>
/// <param name="Fps">Output frames per second (1..120).</param>
/// <param name="Style">Name of a style of the style library (its LoRAs, trigger words and settings).</param>
public sealed record TemplateDefaults(
    int? Width = null,
    int? Height = null,
    int? Frames = null,
    int? Steps = null,
    double? GuidanceLow = null,
    double? GuidanceHigh = null,
    double? Shift = null,
    string? Solver = null,
    int? Fps = null,
    string? Style = null);
