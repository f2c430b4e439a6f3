using Wan.Creative.PostProcessing;

namespace Wan.Creative.Labels;

/// <summary>
/// The AI-generated content label of an MP4. The implicit label (metadata tags, <see cref="AiContentMetadata"/>) is on
/// by default; the visible label (a text overlay such as "AI生成") is off unless <see cref="Visible"/>.
/// </summary>
public sealed record AiLabelOptions
{
    /// <summary>Write the implicit label into the MP4 metadata (default true).</summary>
    public bool Metadata { get; init; } = true;

    /// <summary>Who produced the content (metadata "producer").</summary>
    public string Producer { get; init; } = "Wan.Runtime (Wan2.2 text-to-video)";

    /// <summary>The content id (metadata "content_id"); null: a new random id per video.</summary>
    public string? ContentId { get; init; }

    /// <summary>Draw the visible label (default false).</summary>
    public bool Visible { get; init; }

    /// <summary>The visible text (default "AI生成").</summary>
    public string Text { get; init; } = "AI生成";

    /// <summary>Where the visible label sits.</summary>
    public ScreenPosition Position { get; init; } = ScreenPosition.BottomRight;

    /// <summary>Text height as a fraction of the output frame height, in (0, 0.5].</summary>
    public double Size { get; init; } = 0.06;

    /// <summary>Font file for the visible label (must hold CJK glyphs for Chinese text); null: the first installed of <see cref="CjkFont.Candidates"/>.</summary>
    public string? FontFile { get; init; }

    /// <summary>Checks the values and that the font exists (when visible), before any generation.</summary>
    /// <exception cref="Wan.Errors.RequestException">A value is out of range or the text is empty.</exception>
    /// <exception cref="FileNotFoundException">The visible label's font is missing.</exception>
    public void Validate()
    {
        if (!Visible)
        {
            return;
        }
        if (Text.Trim().Length == 0)
        {
            throw new Wan.Errors.RequestException("label-text", Text, "the visible AI label's text is empty");
        }
        if (!double.IsFinite(Size) || Size <= 0 || Size > 0.5)
        {
            throw new Wan.Errors.RequestException("label-size", Size, "must be a fraction of the frame height in (0, 0.5]");
        }
        CjkFont.Resolve(FontFile);
    }
}
