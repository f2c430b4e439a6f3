using Wan.Runtime.Pipeline;

namespace Wan.Server.Jobs;

/// <summary>
/// Turns the engine's <see cref="GenerationProgress"/> into <see cref="JobEvent"/>s with an overall
/// fraction: text encoding counts 5%, the denoising steps 85% and the decode 10% (roughly their
/// share of the time on the tiny and the real model alike; it only has to be monotone).
/// </summary>
public static class JobProgress
{
    private const double TextShare = 0.05, DenoiseShare = 0.85;

    /// <summary>The event for one engine progress report.</summary>
    public static JobEvent ToEvent(GenerationProgress p) => p.Stage switch
    {
        GenerationStage.EncodingText => new JobEvent(JobEventKinds.Encoded, TextShare, Seconds: p.StageElapsed.TotalSeconds),
        GenerationStage.Denoising => new JobEvent(JobEventKinds.Step, TextShare + DenoiseShare * Fraction(p), p.Step, p.StepCount, p.Expert, p.Timestep, p.StageElapsed.TotalSeconds),
        _ => new JobEvent(JobEventKinds.Decoding, TextShare + DenoiseShare + (1 - TextShare - DenoiseShare) * Fraction(p), p.Step, p.StepCount, Seconds: p.StageElapsed.TotalSeconds),
    };

    private static double Fraction(GenerationProgress p) => p.StepCount > 0 ? Math.Clamp((double)p.Step / p.StepCount, 0, 1) : 1;
}
