using Wan.Runtime.Pipeline;

namespace Wan.Creative;

/// <summary>The outcome of <see cref="CreativePreparation.PrepareAsync"/>.</summary>
/// <param name="Request">The request to generate: prompt extended and expanded, pinned settings applied.</param>
/// <param name="TemplateStyle">The style the template pins (to resolve through the style library when the caller names none), or null.</param>
/// <param name="Warnings">One line each (e.g. the extension service failed and the prompt was kept).</param>
public sealed record PreparedRequest(GenerationRequest Request, string? TemplateStyle, IReadOnlyList<string> Warnings);
