namespace Wan.Runtime.Pipeline;

public enum GenerationStage
{
    EncodingText,
    Denoising,
    Decoding,
}

/// <summary>
/// Reported after each unit of work: text encoding (Step 0), every denoising step (Step = steps
/// done of StepCount, with the expert, the timestep and the latent after the step), and every
/// decoded latent frame (Step = latent frames done of StepCount). Timings are wall-clock:
/// Elapsed since the stage began, StageElapsed for this unit.
/// </summary>
public sealed record GenerationProgress(
    GenerationStage Stage,
    int Step,
    int StepCount,
    string? Expert,
    long Timestep,
    TimeSpan Elapsed,
    TimeSpan StageElapsed,
    ReadOnlyMemory<float> Latent);
