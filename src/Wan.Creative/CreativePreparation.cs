using Wan.Creative.Safety;
using Wan.Creative.Templates;
using Wan.Runtime.Pipeline;

namespace Wan.Creative;

/// <summary>
/// The one order in which the CLI and the service turn a user's request into the request to generate, so both refuse
/// and expand identically: (1) the prompt filter checks the prompt and the negative prompt; (2) the extension hook may
/// replace the prompt (failure: kept, with a warning); (3) the template expands it and pins its settings (explicit
/// settings win); (4) the filter checks the final prompt again — an extension service is not trusted.
/// </summary>
public static class CreativePreparation
{
    /// <summary>Applies <paramref name="settings"/> to <paramref name="request"/>.</summary>
    /// <param name="request">The request as the user gave it (defaults included).</param>
    /// <param name="settings">Filter, extension hook, template.</param>
    /// <param name="explicitSettings">The settings the user set explicitly (a template does not override them).</param>
    /// <param name="cancellation">Cancels the extension call.</param>
    /// <exception cref="PromptRefusedException">The prompt, the negative prompt or the expanded prompt contains a blocked term.</exception>
    /// <exception cref="Wan.Errors.RequestException">The prompt is empty and a template is to expand it.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static async Task<PreparedRequest> PrepareAsync(GenerationRequest request, CreativeSettings settings,
        IReadOnlySet<RequestSetting> explicitSettings, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(explicitSettings);
        var warnings = new List<string>();
        settings.Filter?.Enforce(request.Prompt);
        if (request.NegativePrompt.Length > 0)
        {
            settings.Filter?.Enforce(request.NegativePrompt, "negative prompt");
        }
        if (settings.Extension is { } extension)
        {
            var extended = await extension.Extend(request.Prompt, cancellation).ConfigureAwait(false);
            if (extended.Warning is { } warning)
            {
                warnings.Add(warning);
            }
            request = request with { Prompt = extended.Prompt };
        }
        if (settings.Template is { } template)
        {
            request = template.ApplyTo(request, explicitSettings);
        }
        settings.Filter?.Enforce(request.Prompt, "expanded prompt");
        return new PreparedRequest(request, settings.Template?.Defaults.Style, warnings);
    }
}
