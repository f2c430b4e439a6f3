using Wan.Server.Jobs;

namespace Wan.Server.Api;

/// <summary>The JSON of <c>GET /v1/videos/{id}</c> (snake_case).</summary>
/// <param name="Id">the job id.</param>
/// <param name="State">queued | running | succeeded | failed | cancelled.</param>
/// <param name="Progress">fraction done, 0..1.</param>
/// <param name="Priority">queue priority 0..9.</param>
/// <param name="Cached">true when served from an identical earlier job without running the engine.</param>
/// <param name="CreatedAt">when accepted (UTC).</param>
/// <param name="StartedAt">when the engine took it, or null.</param>
/// <param name="FinishedAt">when it ended, or null.</param>
/// <param name="Timings">stage timings in seconds once succeeded on the engine, else null.</param>
/// <param name="Error">why it failed, or null.</param>
/// <param name="ContentUrl">where to download the video once succeeded, else null.</param>
/// <param name="Request">the normalised request.</param>
public sealed record VideoStatusBody(
    string Id,
    string State,
    double Progress,
    int Priority,
    bool Cached,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    JobTimings? Timings,
    string? Error,
    string? ContentUrl,
    VideoSpec Request)
{
    /// <summary>The status of <paramref name="job"/>, with <paramref name="liveProgress"/> when the job is running.</summary>
    public static VideoStatusBody From(VideoJob job, double? liveProgress) => new(
        job.Id,
        job.State.WireName(),
        job.State == JobState.Running ? liveProgress ?? job.Progress : job.Progress,
        job.Priority,
        job.Cached,
        job.CreatedAt,
        job.StartedAt,
        job.FinishedAt,
        job.Timings,
        job.Error,
        job.State == JobState.Succeeded ? $"/v1/videos/{job.Id}/content" : null,
        job.Spec);
}

/// <summary>The JSON of <c>POST /v1/videos</c>'s 202: the new job's id and state.</summary>
/// <param name="Id">the job id.</param>
/// <param name="State">"queued", or "succeeded" when the result came from the cache.</param>
/// <param name="Cached">true when served from the cache.</param>
/// <param name="Attached">true when an identical request was already queued or running: <paramref name="Id"/> is that job's (it runs once for both).</param>
public sealed record VideoCreatedBody(string Id, string State, bool Cached, bool Attached = false);
