using Wan.Runtime.Lora;
using Wan.Runtime.Pipeline;
using Wan.Runtime.Pipeline.Solvers;
using Wan.Runtime.Styles;

namespace Wan.Cli;

/// <summary>
/// How <c>wan generate</c> combines its options with <c>--preset</c> and <c>--style</c>: an option given on the command
/// line always wins; then a preset's settings; then the style's recommendations; then the defaults. The style's prompt
/// additions and negative prompt apply as <see cref="Style.ApplyTo"/> says; its LoRAs are handed to the LoRA library.
/// </summary>
internal static class StyledRequest
{
    private static readonly StyleSetting[] PresetSettings = [StyleSetting.Steps, StyleSetting.Guidance, StyleSetting.Shift, StyleSetting.Sampler];

    /// <param name="request">The request built from the options (defaults included).</param>
    /// <param name="styleName">--style, or null.</param>
    /// <param name="folder">--styles, or null for $WAN_STYLES.</param>
    /// <param name="presetName">--preset, or null.</param>
    /// <param name="given">Whether the option of a setting was given on the command line.</param>
    /// <exception cref="StyleException">Unknown or invalid style.</exception>
    public static GenerationRequest Apply(GenerationRequest request, string? styleName, DirectoryInfo? folder, string? presetName, Func<StyleSetting, bool> given)
    {
        var preset = presetName is null ? null : SamplingPreset.Named(presetName);
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
        if (styleName is null)
        {
            return request;
        }
        using var library = StylesCommand.Open(folder);
        var style = library.Get(styleName);
        if (style.Loras.Count > 0)
        {
            // The style's LoRAs stack after the ones given with --lora (additive, so the order does not change the result).
            var specs = style.Loras.Select(l => new LoraSpec(l.Path, l.Strength, Enum.Parse<LoraExpert>(l.Expert, ignoreCase: true)));
            request = request with
            {
                Loras = new LoraSet([.. request.Loras?.Specs ?? [], .. specs], request.Loras?.Semantics ?? LoraMergeSemantics.AllDeltas),
            };
        }
        return style.ApplyTo(request, explicitSettings);
    }
}
