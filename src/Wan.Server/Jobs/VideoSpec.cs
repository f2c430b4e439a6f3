using Wan.Runtime.Lora;
using Wan.Runtime.Pipeline;

namespace Wan.Server.Jobs;

/// <summary>
/// A normalised video request: every setting that decides the output, defaults filled in (the empty
/// negative prompt is replaced by <see cref="WanDefaults.NegativePrompt"/>, guidance is always a
/// (low, high) pair), plus the container format. Two specs that are equal produce the same video; the
/// result cache hashes this record (<see cref="Caching.ResultCacheKey"/>).
/// </summary>
public sealed record VideoSpec
{
    /// <summary>What the video shows.</summary>
    public required string Prompt { get; init; }

    /// <summary>What to avoid; never empty (the model family's default when the client sent none).</summary>
    public required string NegativePrompt { get; init; }

    /// <summary>Frames, 4k+1.</summary>
    public required int Frames { get; init; }

    /// <summary>Height in pixels, a multiple of 16.</summary>
    public required int Height { get; init; }

    /// <summary>Width in pixels, a multiple of 16.</summary>
    public required int Width { get; init; }

    /// <summary>Denoising steps.</summary>
    public required int Steps { get; init; }

    /// <summary>Seed of the initial noise.</summary>
    public required long Seed { get; init; }

    /// <summary>Guidance scale of the low-noise expert.</summary>
    public required double GuidanceLow { get; init; }

    /// <summary>Guidance scale of the high-noise expert.</summary>
    public required double GuidanceHigh { get; init; }

    /// <summary>Sigma shift of the flow schedule.</summary>
    public required double Shift { get; init; }

    /// <summary>"unipc", "dpm++" or "euler".</summary>
    public required string Solver { get; init; }

    /// <summary>Frames per second of the container.</summary>
    public required int Fps { get; init; }

    /// <summary>Container: "mp4", "y4m" or "gif" (<see cref="VideoFormats"/>).</summary>
    public required string Format { get; init; }

    /// <summary>Template, post-processing and label (<see cref="Creative.CreativeSpec"/>), or null for none (the MP4 still carries the AI metadata label).</summary>
    public Creative.CreativeSpec? Creative { get; init; }

    /// <summary>The style applied (its prompt additions and settings are already in the fields above), or null.</summary>
    public string? Style { get; init; }

    /// <summary>The applied style's version (<see cref="Styles.ServerStyles.VersionOf"/>), or null.</summary>
    public string? StyleVersion { get; init; }

    /// <summary>The LoRAs applied, in order: the request's own, then the style's (empty without LoRA).</summary>
    public IReadOnlyList<VideoLora> Loras { get; init; } = [];

    /// <summary>Value equality over every field, the LoRAs element by element (a record would compare the list by reference).</summary>
    public bool Equals(VideoSpec? other) =>
        other is not null && Prompt == other.Prompt && NegativePrompt == other.NegativePrompt && Frames == other.Frames && Height == other.Height
        && Width == other.Width && Steps == other.Steps && Seed == other.Seed && GuidanceLow.Equals(other.GuidanceLow) && GuidanceHigh.Equals(other.GuidanceHigh)
        && Shift.Equals(other.Shift) && Solver == other.Solver && Fps == other.Fps && Format == other.Format && Style == other.Style
        && StyleVersion == other.StyleVersion && Loras.SequenceEqual(other.Loras) && Wan.Server.Creative.CreativeSpec.Same(Creative, other.Creative);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Prompt, Frames, Height, Width, Steps, Seed, Format, Loras.Count);

    /// <summary>The engine request this spec describes.</summary>
    public GenerationRequest ToGenerationRequest() => new()
    {
        Prompt = Prompt,
        NegativePrompt = NegativePrompt,
        Frames = Frames,
        Height = Height,
        Width = Width,
        Steps = Steps,
        Seed = Seed,
        GuidanceLow = GuidanceLow,
        GuidanceHigh = GuidanceHigh,
        Shift = Shift,
        Solver = Solver,
        Fps = Fps,
        Loras = Loras.Count == 0 ? null : new LoraSet(Loras.Select(l => l.ToSpec())),
    };
}
