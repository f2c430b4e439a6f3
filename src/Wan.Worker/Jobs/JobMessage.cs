using System.Text.Json;
using System.Text.Json.Serialization;
using Wan.Runtime.Pipeline;

namespace Wan.Worker.Jobs;

/// <summary>
/// A generation job as it travels on the queue (JSON, snake_case): the job id that makes processing
/// idempotent, and the request's fields (the <see cref="GenerationRequest"/> defaults for those left out).
/// </summary>
public sealed record JobMessage
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The job id: unique per job; a redelivered or republished message with a finished id is not run again.</summary>
    public required string Id { get; init; }

    /// <summary>The prompt.</summary>
    public required string Prompt { get; init; }

    /// <summary>The negative prompt (empty: the Wan default).</summary>
    public string? NegativePrompt { get; init; }

    /// <summary>Frames (4k+1).</summary>
    public int? Frames { get; init; }

    /// <summary>Height in pixels (a multiple of 16).</summary>
    public int? Height { get; init; }

    /// <summary>Width in pixels (a multiple of 16).</summary>
    public int? Width { get; init; }

    /// <summary>Denoising steps.</summary>
    public int? Steps { get; init; }

    /// <summary>Noise seed.</summary>
    public long Seed { get; init; }

    /// <summary>The request the engine runs.</summary>
    public GenerationRequest ToRequest()
    {
        var defaults = new GenerationRequest { Prompt = Prompt };
        return defaults with
        {
            NegativePrompt = NegativePrompt ?? "",
            Frames = Frames ?? defaults.Frames,
            Height = Height ?? defaults.Height,
            Width = Width ?? defaults.Width,
            Steps = Steps ?? defaults.Steps,
            Seed = Seed,
        };
    }

    /// <summary>UTF-8 JSON body.</summary>
    public byte[] Serialize() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>Parses a message body.</summary>
    /// <exception cref="InvalidDataException">the body is not a job (bad JSON, no id or prompt, an id unfit for a file name).</exception>
    public static JobMessage Parse(ReadOnlySpan<byte> body)
    {
        JobMessage? job;
        try
        {
            job = JsonSerializer.Deserialize<JobMessage>(body, Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"job message: {e.Message}", e);
        }
        if (job is null || string.IsNullOrWhiteSpace(job.Id) || job.Id.Length > 128 || job.Id.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
        {
            throw new InvalidDataException("job message: 'id' must be 1-128 ASCII letters, digits, '-' or '_'");
        }
        return job;
    }
}
