using System.Text.Json;

namespace Wan.Server.Jobs.Broker;

/// <summary>
/// One progress message on the topic exchange (JSON, snake_case), routing key <c>job.{id}.{kind}</c>. <see cref="Kind"/>:
/// started, the <see cref="JobEvent"/> kinds a run reports (encoded, step with <see cref="Step"/> of <see cref="Steps"/> on
/// <see cref="Expert"/>, decoding), then done (<see cref="Result"/>: the video's path), failed (<see cref="Error"/>),
/// cancelled, or duplicate (the job had already finished: acknowledged without running).
/// </summary>
/// <param name="JobId">the job.</param>
/// <param name="Worker">the worker that sent it.</param>
/// <param name="Kind">what happened (above).</param>
/// <param name="Step">steps done or latent frames decoded.</param>
/// <param name="Steps">the total of <paramref name="Step"/>.</param>
/// <param name="Expert">the DiT expert of a step.</param>
/// <param name="Result">the video's path (done, duplicate).</param>
/// <param name="Progress">the job's fraction done, 0..1.</param>
/// <param name="Timestep">a step's timestep on the 0..1000 grid.</param>
/// <param name="Seconds">wall-clock seconds of the unit of work.</param>
/// <param name="Error">why the job failed.</param>
public sealed record ProgressEvent(string JobId, string Worker, string Kind, int Step = 0, int Steps = 0, string? Expert = null, string? Result = null,
    double Progress = 0, long? Timestep = null, double? Seconds = null, string? Error = null)
{
    /// <summary>Started: the worker took the job.</summary>
    public const string Started = "started";

    /// <summary>Duplicate: the job had already finished; acknowledged without running.</summary>
    public const string Duplicate = "duplicate";

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>The message of a run's <paramref name="e"/>.</summary>
    public static ProgressEvent Of(string jobId, string worker, JobEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new(jobId, worker, e.Kind, e.Step ?? 0, e.Steps ?? 0, e.Expert, null, e.Progress, e.Timestep, e.Seconds, e.Error);
    }

    /// <summary>The API's event for a non-terminal message (started is the API's running), or null for started/duplicate/terminal kinds.</summary>
    public JobEvent? ToLiveEvent() => Kind switch
    {
        Started => new JobEvent(JobEventKinds.Running, 0),
        JobEventKinds.Encoded or JobEventKinds.Step or JobEventKinds.Decoding =>
            new JobEvent(Kind, Progress, Step, Steps, Expert, Timestep, Seconds),
        _ => null,
    };

    /// <summary>UTF-8 JSON body.</summary>
    public byte[] Serialize() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>Parses a body written by <see cref="Serialize"/>.</summary>
    /// <exception cref="JsonException">not a progress event.</exception>
    public static ProgressEvent Parse(ReadOnlySpan<byte> body) =>
        JsonSerializer.Deserialize<ProgressEvent>(body, Json) ?? throw new JsonException("empty progress event");
}
