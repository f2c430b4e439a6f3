using System.Text.Json;
using System.Text.Json.Serialization;
using Wan.Runtime.Pipeline;

namespace Wan.Server.Jobs.Broker;

/// <summary>
/// A generation job as it travels on the queue (JSON, snake_case): the job id that makes processing
/// idempotent, and the request's fields (the <see cref="GenerationRequest"/> defaults for those left out).
/// An API node publishes its accepted, normalised <see cref="VideoSpec"/> (<see cref="From"/>).
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

    /// <summary>Guidance of the low-noise expert (default 3.0).</summary>
    public double? GuidanceLow { get; init; }

    /// <summary>Guidance of the high-noise expert (default 4.0).</summary>
    public double? GuidanceHigh { get; init; }

    /// <summary>Sigma shift (default 12.0).</summary>
    public double? Shift { get; init; }

    /// <summary>Solver name (default unipc).</summary>
    public string? Solver { get; init; }

    /// <summary>Frames per second of the container (default 16).</summary>
    public int? Fps { get; init; }

    /// <summary>Container: mp4, y4m or gif (default y4m, the worker's format before API nodes published).</summary>
    public string? Format { get; init; }

    /// <summary>The style the API node applied (already folded into the other fields), or null.</summary>
    public string? Style { get; init; }

    /// <summary>The style's version, or null.</summary>
    public string? StyleVersion { get; init; }

    /// <summary>LoRAs to apply, with the paths the API node resolved (its LoRA and styles folders are shared with the workers).</summary>
    public IReadOnlyList<VideoLora>? Loras { get; init; }

    /// <summary>The message of an accepted API job.</summary>
    public static JobMessage From(VideoJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var s = job.Spec;
        return new JobMessage
        {
            Id = job.Id, Prompt = s.Prompt, NegativePrompt = s.NegativePrompt, Frames = s.Frames, Height = s.Height, Width = s.Width, Steps = s.Steps,
            Seed = s.Seed, GuidanceLow = s.GuidanceLow, GuidanceHigh = s.GuidanceHigh, Shift = s.Shift, Solver = s.Solver, Fps = s.Fps, Format = s.Format,
            Style = s.Style, StyleVersion = s.StyleVersion, Loras = s.Loras.Count == 0 ? null : s.Loras,
        };
    }

    /// <summary>The normalised spec (the <see cref="GenerationRequest"/> defaults for the fields left out).</summary>
    public VideoSpec ToSpec()
    {
        var defaults = new GenerationRequest { Prompt = Prompt };
        return new VideoSpec
        {
            Prompt = Prompt,
            NegativePrompt = string.IsNullOrEmpty(NegativePrompt) ? WanDefaults.NegativePrompt : NegativePrompt,
            Frames = Frames ?? defaults.Frames,
            Height = Height ?? defaults.Height,
            Width = Width ?? defaults.Width,
            Steps = Steps ?? defaults.Steps,
            Seed = Seed,
            GuidanceLow = GuidanceLow ?? defaults.GuidanceLow,
            GuidanceHigh = GuidanceHigh ?? defaults.GuidanceHigh,
            Shift = Shift ?? defaults.Shift,
            Solver = Solver ?? defaults.Solver,
            Fps = Fps ?? defaults.Fps,
            Format = Format ?? "y4m",
            Style = Style,
            StyleVersion = StyleVersion,
            Loras = Loras ?? [],
        };
    }

    /// <summary>The request the engine runs.</summary>
    public GenerationRequest ToRequest() => ToSpec().ToGenerationRequest();

    /// <summary>UTF-8 JSON body.</summary>
    public byte[] Serialize() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>Parses a message body.</summary>
    /// <exception cref="InvalidDataException">the body is not a job (bad JSON, no id or prompt, an id unfit for a file name, an unknown format).</exception>
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
        if (job.Format is { } format && !VideoFormats.Names.Contains(format))
        {
            throw new InvalidDataException($"job message: format '{format}' is not one of {string.Join(", ", VideoFormats.Names)}");
        }
        return job;
    }
}
