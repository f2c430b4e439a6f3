using Wan.Creative.Labels;

namespace Wan.Creative.PostProcessing;

/// <summary>Everything the MP4 finishing pass (<see cref="Mp4Finisher"/>) does: post-processing and the AI-content label.</summary>
/// <param name="Post">Logo, subtitles, audio, frame rate, size, colour, denoise.</param>
/// <param name="Label">The implicit (metadata) and visible AI-generated label.</param>
public sealed record FinishingOptions(PostProcessOptions Post, AiLabelOptions Label)
{
    /// <summary>No post-processing, the default label (metadata only).</summary>
    public static FinishingOptions Default { get; } = new(new PostProcessOptions(), new AiLabelOptions());

    /// <summary>Checks both parts and every input file — before any generation starts.</summary>
    /// <exception cref="Wan.Errors.RequestException">A value is out of range.</exception>
    /// <exception cref="FileNotFoundException">An input file or the label font is missing.</exception>
    public void Validate()
    {
        Post.Validate();
        Label.Validate();
        if (Post.Subtitles is { Burn: true })
        {
            CjkFont.Resolve(Label.FontFile);
        }
    }
}
