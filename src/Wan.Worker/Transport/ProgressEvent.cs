using System.Text.Json;

namespace Wan.Worker.Transport;

/// <summary>
/// One progress message on the topic exchange (JSON, snake_case). <see cref="Kind"/>: started, step
/// (<see cref="Step"/> of <see cref="Steps"/> on <see cref="Expert"/>), done (<see cref="Result"/>: the
/// video's path), duplicate (the job had already finished: acknowledged without running).
/// </summary>
public sealed record ProgressEvent(string JobId, string Worker, string Kind, int Step = 0, int Steps = 0, string? Expert = null, string? Result = null)
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>UTF-8 JSON body.</summary>
    public byte[] Serialize() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>Parses a body written by <see cref="Serialize"/>.</summary>
    /// <exception cref="JsonException">not a progress event.</exception>
    public static ProgressEvent Parse(ReadOnlySpan<byte> body) =>
        JsonSerializer.Deserialize<ProgressEvent>(body, Json) ?? throw new JsonException("empty progress event");
}
