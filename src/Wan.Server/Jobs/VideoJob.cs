namespace Wan.Server.Jobs;

/// <summary>
/// One video job as the store keeps it. Immutable: every change is a new record (<c>with</c>) written
/// back through <see cref="IJobStore.Save"/>.
/// </summary>
public sealed record VideoJob
{
    /// <summary>Unique id (32 lower-case hex digits), the resource name in <c>/v1/videos/{id}</c>.</summary>
    public required string Id { get; init; }

    /// <summary>What to generate.</summary>
    public required VideoSpec Spec { get; init; }

    /// <summary>Queue priority 0..9: higher runs first; equal priorities run in submission order.</summary>
    public int Priority { get; init; }

    /// <summary>The job's state.</summary>
    public JobState State { get; init; }

    /// <summary>Fraction done, 0..1 (text encoding, steps and decoded frames weighted by <see cref="JobProgress"/>).</summary>
    public double Progress { get; init; }

    /// <summary>Hash of everything that decides the output (<see cref="Caching.ResultCacheKey"/>).</summary>
    public required string CacheKey { get; init; }

    /// <summary>True when the result was served from an earlier identical job without running the engine.</summary>
    public bool Cached { get; init; }

    /// <summary>When the job was accepted.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the engine started it, or null.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When it reached a terminal state, or null.</summary>
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Why it failed (one line), or null.</summary>
    public string? Error { get; init; }

    /// <summary>Full path of the stored video once succeeded, else null.</summary>
    public string? ResultPath { get; init; }

    /// <summary>Stage timings once succeeded (none for a cached result), else null.</summary>
    public JobTimings? Timings { get; init; }

    /// <summary>A new queued job with a fresh id.</summary>
    public static VideoJob Create(VideoSpec spec, int priority, string cacheKey, DateTimeOffset now) => new()
    {
        Id = Guid.NewGuid().ToString("N"),
        Spec = spec,
        Priority = priority,
        State = JobState.Queued,
        CacheKey = cacheKey,
        CreatedAt = now,
    };
}
