using System.Text.Json;

namespace Wan.Server.Api;

/// <summary>
/// The JSON body of <c>POST /v1/videos</c> (snake_case). Every field but <c>prompt</c> is optional and
/// takes the library's default (<see cref="Wan.Runtime.Pipeline.GenerationRequest"/>); unknown fields are refused.
/// </summary>
public sealed class VideoRequestBody
{
    /// <summary>What the video shows (required, non-empty).</summary>
    public string? Prompt { get; set; }

    /// <summary>What to avoid; empty or absent means the model family's default.</summary>
    public string? NegativePrompt { get; set; }

    /// <summary>Frames, 4k+1 (default 81).</summary>
    public int? Frames { get; set; }

    /// <summary>Height in pixels, a multiple of 16 (default 720).</summary>
    public int? Height { get; set; }

    /// <summary>Width in pixels, a multiple of 16 (default 1280).</summary>
    public int? Width { get; set; }

    /// <summary>Denoising steps (default 40).</summary>
    public int? Steps { get; set; }

    /// <summary>Seed of the initial noise (default 0).</summary>
    public long? Seed { get; set; }

    /// <summary>One number for both experts, or [low, high] (default [3.0, 4.0]).</summary>
    public JsonElement? Guidance { get; set; }

    /// <summary>Sigma shift (default 12.0).</summary>
    public double? Shift { get; set; }

    /// <summary>"unipc" (default), "dpm++" or "euler".</summary>
    public string? Solver { get; set; }

    /// <summary>Frames per second of the container (default 16).</summary>
    public int? Fps { get; set; }

    /// <summary>A style name of the server's style library.</summary>
    public string? Style { get; set; }

    /// <summary>LoRAs of the server's LoRA folder to apply, stacked before the style's (none by default).</summary>
    public List<LoraRequestBody>? Loras { get; set; }

    /// <summary>"mp4" (default), "y4m" or "gif".</summary>
    public string? Format { get; set; }

    /// <summary>Queue priority 0..9, higher first (default 0).</summary>
    public int? Priority { get; set; }

    /// <summary>A prompt template of the server's library (Wan:Creative:TemplatesDirectory): expands the prompt, supplies a negative prompt, pins settings the request leaves out.</summary>
    public string? Template { get; set; }

    /// <summary>Post-processing, the object of <c>wan generate --post FILE.json</c> (logo, subtitles, audio, fps, upscale, color, denoise, label); file names are relative to the server's assets folder. MP4 only.</summary>
    public JsonElement? Post { get; set; }

    /// <summary>The AI-content label, the <c>label</c> section of <see cref="Post"/> (<c>metadata</c> on by default, <c>visible</c>, <c>text</c>, <c>position</c>, <c>size</c>). MP4 only.</summary>
    public JsonElement? Label { get; set; }
}
