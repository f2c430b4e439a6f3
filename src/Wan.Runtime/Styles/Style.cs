using Wan.Runtime.Pipeline;

namespace Wan.Runtime.Styles;

/// <summary>
/// A validated style: what a manifest (<see cref="StyleManifest"/>) says, with LoRA paths made absolute and checked.
/// Immutable; a library swaps whole styles when a manifest changes.
/// </summary>
/// <param name="Name">The style's name (= manifest file name without .json).</param>
/// <param name="Description">One line for <c>wan styles list</c>.</param>
/// <param name="Loras">LoRAs to apply, in order (stacked additively).</param>
/// <param name="TriggerWords">Words the LoRAs were trained to respond to; added to the prompt unless it already contains them.</param>
/// <param name="PromptPrefix">Text put before the prompt ("" for none).</param>
/// <param name="PromptSuffix">Text put after the prompt ("" for none).</param>
/// <param name="NegativePrompt">Default negative prompt (null: keep the request's).</param>
/// <param name="Steps">Recommended steps, or null.</param>
/// <param name="GuidanceLow">Recommended guidance of the low-noise expert, or null (1 = no CFG).</param>
/// <param name="GuidanceHigh">Recommended guidance of the high-noise expert, or null.</param>
/// <param name="Shift">Recommended timestep shift, or null.</param>
/// <param name="Sampler">Recommended solver name (<see cref="Pipeline.Solvers.FlowSolvers.Names"/>), or null.</param>
/// <param name="ManifestPath">The manifest file.</param>
public sealed record Style(
    string Name,
    string Description,
    IReadOnlyList<StyleLora> Loras,
    IReadOnlyList<string> TriggerWords,
    string PromptPrefix,
    string PromptSuffix,
    string? NegativePrompt,
    int? Steps,
    double? GuidanceLow,
    double? GuidanceHigh,
    double? Shift,
    string? Sampler,
    string ManifestPath)
{
    /// <summary>
    /// The prompt the model sees: prefix, the trigger words the prompt lacks (case-insensitive), the prompt, the suffix —
    /// empty parts dropped, joined with ", ".
    /// </summary>
    public string ComposePrompt(string prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var missing = TriggerWords.Where(w => !prompt.Contains(w, StringComparison.OrdinalIgnoreCase));
        string[] parts = [PromptPrefix, .. missing, prompt.Trim(), PromptSuffix];
        return string.Join(", ", parts.Where(p => p.Length > 0));
    }

    /// <summary>
    /// <paramref name="request"/> with this style applied: the prompt composed (<see cref="ComposePrompt"/>) and every
    /// recommended setting the user did not set explicitly (<paramref name="explicitSettings"/>) replaced by the style's.
    /// LoRAs are not part of the request: the caller applies <see cref="Loras"/>.
    /// </summary>
    public GenerationRequest ApplyTo(GenerationRequest request, IReadOnlySet<StyleSetting> explicitSettings)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(explicitSettings);
        bool Use(StyleSetting s) => !explicitSettings.Contains(s);
        return request with
        {
            Prompt = ComposePrompt(request.Prompt),
            NegativePrompt = Use(StyleSetting.NegativePrompt) && NegativePrompt is { } negative ? negative : request.NegativePrompt,
            Steps = Use(StyleSetting.Steps) && Steps is { } steps ? steps : request.Steps,
            GuidanceLow = Use(StyleSetting.Guidance) && GuidanceLow is { } low ? low : request.GuidanceLow,
            GuidanceHigh = Use(StyleSetting.Guidance) && GuidanceHigh is { } high ? high : request.GuidanceHigh,
            Shift = Use(StyleSetting.Shift) && Shift is { } shift ? shift : request.Shift,
            Solver = Use(StyleSetting.Sampler) && Sampler is { } sampler ? sampler : request.Solver,
        };
    }
}
