namespace Wan.Runtime.Pipeline;

/// <summary>The stages of a generation, in order.</summary>
public enum GenerationStage
{
    /// <summary>umT5 encoding of the prompt and the negative prompt.</summary>
    EncodingText,
    /// <summary>The denoising steps.</summary>
    Denoising,
    /// <summary>
    /// One context window of a denoising step done (reported only when a step has several windows):
    /// Step is the step being computed, Window of WindowCount the windows done.
    /// </summary>
    DenoisingWindow,
    /// <summary>The VAE decode, latent frame by latent frame.</summary>
    Decoding,
    /// <summary>
    /// One chunk of a chunked generation finished and stored in the K/V cache (Chunk of ChunkCount;
    /// Step counts the denoising steps done over all chunks).
    /// </summary>
    DenoisingChunk,
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
    ReadOnlyMemory<float> Latent)
{
    /// <summary>Context windows of the step done so far (<see cref="GenerationStage.DenoisingWindow"/>), else 0.</summary>
    public int Window { get; init; }

    /// <summary>Context windows per step (<see cref="GenerationStage.DenoisingWindow"/>), else 0.</summary>
    public int WindowCount { get; init; }

    /// <summary>The chunk being denoised (1-based) in a chunked generation, else 0; Latent is then the chunk's.</summary>
    public int Chunk { get; init; }

    /// <summary>Chunks of a chunked generation, else 0.</summary>
    public int ChunkCount { get; init; }
}
