namespace Wan.Server.Creative;

/// <summary>
/// The creative stages of <c>wan serve</c> (configuration section <c>Wan:Creative</c>, e.g.
/// <c>--Wan:Creative:TemplatesDirectory=templates</c>): the template library, the prompt filter's block lists, the
/// optional ONNX frame classifier, the optional prompt-extension service and the folder that request files (logo,
/// subtitles, audio, label font) are taken from. Every part is optional; the AI-content metadata label is always on
/// unless a request turns it off.
/// </summary>
public sealed class CreativeServerOptions
{
    /// <summary>Folder of prompt templates (<c>NAME.json</c>, hot-reloaded), or null: requests naming a template get 400.</summary>
    public string? TemplatesDirectory { get; set; }

    /// <summary>Block-list files of the prompt filter (UTF-8, one term per line); none: no filter.</summary>
    public List<string> BlockLists { get; set; } = [];

    /// <summary>ONNX image classifier that scores sampled frames of every video before it is stored, or null for none.</summary>
    public string? SafetyModel { get; set; }

    /// <summary>A sampled frame scoring above this fails the job (default 0.5).</summary>
    public double SafetyThreshold { get; set; } = 0.5;

    /// <summary>How many frames the classifier scores, evenly spread (default 8).</summary>
    public int SafetyFrames { get; set; } = 8;

    /// <summary>URL of a prompt-extension service (POST, see docs/creative.md), or null (off).</summary>
    public Uri? PromptExtensionUrl { get; set; }

    /// <summary>
    /// The only folder request files may come from (<c>post.logo.file</c>, <c>post.subtitles.file</c>,
    /// <c>post.audio.file</c>, <c>post.label.font</c> are names relative to it); null: requests naming files get 400.
    /// </summary>
    public string? AssetsDirectory { get; set; }
}
