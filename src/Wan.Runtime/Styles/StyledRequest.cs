using Wan.Runtime.Lora;
using Wan.Runtime.Pipeline;
using Wan.Runtime.Pipeline.Solvers;

namespace Wan.Runtime.Styles;

/// <summary>
/// How a request is combined with a sampling preset and a style, the same for <c>wan generate --preset/--style</c>
/// and a <c>wan serve</c> request's <c>style</c>: a setting the caller gave explicitly always wins; then the preset's
/// settings; then the style's recommendations; then the defaults. The style's prompt additions and negative prompt
/// apply as <see cref="Style.ApplyTo"/> says; its LoRAs are stacked after the request's own.
/// </summary>
public static class StyledRequest
{
    private static readonly StyleSetting[] PresetSettings = [StyleSetting.Steps, StyleSetting.Guidance, StyleSetting.Shift, StyleSetting.Sampler];

    /// <summary><paramref name="request"/> with <paramref name="preset"/> and <paramref name="style"/> applied.</summary>
    /// <param name="request">The request as the caller built it (defaults included).</param>
    /// <param name="style">The style (<see cref="StyleLibrary.Get"/>), or null.</param>
    /// <param name="preset">The sampling preset (<see cref="SamplingPreset.Named"/>), or null.</param>
    /// <param name="given">Whether the caller set a setting explicitly (then neither the preset nor the style changes it).</param>
    /// <exception cref="ArgumentException">A style LoRA's expert is not high, low or both (a validated style never has one).</exception>
    public static GenerationRequest Apply(GenerationRequest request, Style? style, SamplingPreset? preset, Func<StyleSetting, bool> given)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(given);
        var explicitSettings = Enum.GetValues<StyleSetting>().Where(given).ToHashSet();
        if (preset is not null)
        {
            request = request with
            {
                Steps = given(StyleSetting.Steps) ? request.Steps : preset.Steps,
                GuidanceLow = given(StyleSetting.Guidance) ? request.GuidanceLow : preset.GuidanceLow,
                GuidanceHigh = given(StyleSetting.Guidance) ? request.GuidanceHigh : preset.GuidanceHigh,
                Shift = given(StyleSetting.Shift) ? request.Shift : preset.Shift,
                Solver = given(StyleSetting.Sampler) ? request.Solver : preset.Solver,
            };
            explicitSettings.UnionWith(PresetSettings);
        }
        if (style is null)
        {
            return request;
        }
        if (style.Loras.Count > 0)
        {
            // The style's LoRAs stack after the request's own (additive, so the order does not change the result).
            var specs = style.Loras.Select(l => new LoraSpec(l.Path, l.Strength, Enum.Parse<LoraExpert>(l.Expert, ignoreCase: true)));
            request = request with
            {
                Loras = new LoraSet([.. request.Loras?.Specs ?? [], .. specs], request.Loras?.Semantics ?? LoraMergeSemantics.AllDeltas),
            };
        }
        return style.ApplyTo(request, explicitSettings);
    }
}
