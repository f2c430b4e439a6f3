namespace Wan.Runtime.Pipeline;

public enum GenerationStage
{
    EncodingText,
    Denoising,
    Decoding,
}

/// <summary>
/// Reported after each unit of work: text encoding, every denoising step (with the latent after
/// the step), and VAE decoding. Timings are wall-clock.
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
