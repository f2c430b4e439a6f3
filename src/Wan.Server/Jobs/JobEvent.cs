using System.Text.Json.Serialization;

namespace Wan.Server.Jobs;

/// <summary>
/// One thing that happened to a job, as <c>GET /v1/videos/{id}/events</c> sends it (SSE event name =
/// <see cref="Kind"/>, data = this record in snake_case JSON).
/// </summary>
/// <param name="Kind">one of <see cref="JobEventKinds"/>.</param>
/// <param name="Progress">the job's fraction done after this event, 0..1.</param>
/// <param name="Step">denoising steps done (step events) or latent frames decoded (decoding events).</param>
/// <param name="Steps">the total of <paramref name="Step"/>.</param>
/// <param name="Expert">the DiT expert of a step ("high_noise"/"low_noise" as the pipeline names them).</param>
/// <param name="Timestep">the step's timestep on the 0..1000 training grid.</param>
/// <param name="Seconds">wall-clock seconds of this unit of work (one step, one decoded frame).</param>
/// <param name="Error">why the job failed (failed events).</param>
public sealed record JobEvent(
    string Kind,
    double Progress,
    int? Step = null,
    int? Steps = null,
    string? Expert = null,
    long? Timestep = null,
    double? Seconds = null,
    string? Error = null)
{
    /// <summary>True for done, failed and cancelled: the last event of a job.</summary>
    [JsonIgnore]
    public bool IsTerminal => Kind is JobEventKinds.Done or JobEventKinds.Failed or JobEventKinds.Cancelled;
}

/// <summary>The event names of <see cref="JobEvent.Kind"/>, in the order a job goes through them.</summary>
public static class JobEventKinds
{
    /// <summary>Accepted into the queue.</summary>
    public const string Queued = "queued";
    /// <summary>The engine took it.</summary>
    public const string Running = "running";
    /// <summary>Text encoded.</summary>
    public const string Encoded = "encoded";
    /// <summary>One denoising step done.</summary>
    public const string Step = "step";
    /// <summary>One latent frame decoded.</summary>
    public const string Decoding = "decoding";
    /// <summary>The video is stored.</summary>
    public const string Done = "done";
    /// <summary>Stopped by an error.</summary>
    public const string Failed = "failed";
    /// <summary>Cancelled by a client.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>The terminal event of <paramref name="job"/>, or null when its state is not terminal.</summary>
    public static JobEvent? Terminal(VideoJob job) => job.State switch
    {
        JobState.Succeeded => new JobEvent(Done, 1),
        JobState.Failed => new JobEvent(Failed, job.Progress, Error: job.Error),
        JobState.Cancelled => new JobEvent(Cancelled, job.Progress),
        _ => null,
    };
}
