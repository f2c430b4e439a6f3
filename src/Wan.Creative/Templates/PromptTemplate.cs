using System.Text;
using Wan.Runtime.Pipeline;

namespace Wan.Creative.Templates;

/// <summary>
/// A validated prompt template (<see cref="TemplateManifest"/>): turns a short idea into a model-friendly prompt with
/// style words, camera language and lighting, supplies a negative prompt and may pin defaults. Expansion is a pure
/// function of the prompt (no randomness, no clock): the same idea always gives the same prompt.
/// </summary>
/// <param name="Name">The template's name (= manifest file name without .json).</param>
/// <param name="Description">One line for listings.</param>
/// <param name="English">The English wording, or null (the Chinese one is used for every prompt).</param>
/// <param name="Chinese">The Chinese wording, or null (the English one is used for every prompt).</param>
/// <param name="Defaults">The pinned settings.</param>
/// <param name="ManifestPath">The manifest file.</param>
public sealed record PromptTemplate(
    string Name,
    string Description,
    TemplateWording? English,
    TemplateWording? Chinese,
    TemplateDefaults Defaults,
    string ManifestPath)
{
    /// <summary>The wording for <paramref name="language"/>, falling back to the other language when the template has only one.</summary>
    public TemplateWording WordingFor(PromptLanguage language) =>
        (language == PromptLanguage.Chinese ? Chinese ?? English : English ?? Chinese)
        ?? throw new InvalidOperationException($"template '{Name}' has no wording");

    /// <summary>
    /// The expanded prompt: the wording of the prompt's language (<see cref="PromptLanguages.Detect"/>) with
    /// <c>{prompt}</c> replaced by the trimmed prompt and <c>{style}</c>, <c>{camera}</c>, <c>{lighting}</c> by the
    /// template's words; an empty placeholder disappears with the separator before it.
    /// </summary>
    /// <exception cref="Wan.Errors.RequestException">The prompt is empty.</exception>
    public string Expand(string prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var idea = prompt.Trim();
        if (idea.Length == 0)
        {
            throw new Wan.Errors.RequestException("prompt", "", "is empty: a template expands a short idea, not nothing");
        }
        var language = PromptLanguages.Detect(idea);
        var wording = WordingFor(language);
        var separator = language == PromptLanguage.Chinese ? "，" : ", ";
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["prompt"] = idea,
            ["style"] = string.Join(separator, wording.StyleWords),
            ["camera"] = wording.Camera,
            ["lighting"] = wording.Lighting,
        };
        return Substitute(wording.Pattern, values);
    }

    /// <summary>
    /// <paramref name="request"/> with the prompt expanded (<see cref="Expand"/>) and every pinned setting the user did
    /// not set explicitly (<paramref name="explicitSettings"/>) replaced by the template's. The template's style is not
    /// part of the request: the caller resolves <see cref="TemplateDefaults.Style"/> through the style library.
    /// </summary>
    /// <exception cref="Wan.Errors.RequestException">The prompt is empty.</exception>
    public GenerationRequest ApplyTo(GenerationRequest request, IReadOnlySet<RequestSetting> explicitSettings)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(explicitSettings);
        bool Use(RequestSetting s) => !explicitSettings.Contains(s);
        var d = Defaults;
        var wording = WordingFor(PromptLanguages.Detect(request.Prompt));
        return request with
        {
            Prompt = Expand(request.Prompt),
            NegativePrompt = Use(RequestSetting.NegativePrompt) && wording.NegativePrompt is { } negative ? negative : request.NegativePrompt,
            Width = Use(RequestSetting.Size) && d.Width is { } width ? width : request.Width,
            Height = Use(RequestSetting.Size) && d.Height is { } height ? height : request.Height,
            Frames = Use(RequestSetting.Frames) && d.Frames is { } frames ? frames : request.Frames,
            Steps = Use(RequestSetting.Steps) && d.Steps is { } steps ? steps : request.Steps,
            GuidanceLow = Use(RequestSetting.Guidance) && d.GuidanceLow is { } low ? low : request.GuidanceLow,
            GuidanceHigh = Use(RequestSetting.Guidance) && d.GuidanceHigh is { } high ? high : request.GuidanceHigh,
            Shift = Use(RequestSetting.Shift) && d.Shift is { } shift ? shift : request.Shift,
            Solver = Use(RequestSetting.Solver) && d.Solver is { } solver ? solver : request.Solver,
            Fps = Use(RequestSetting.Fps) && d.Fps is { } fps ? fps : request.Fps,
        };
    }

    /// <summary>Replaces <c>{name}</c>; an empty value also drops the run of separator characters (",，、;； ") before it.</summary>
    private static string Substitute(string pattern, IReadOnlyDictionary<string, string> values)
    {
        var text = new StringBuilder();
        int i = 0;
        while (i < pattern.Length)
        {
            int open = pattern.IndexOf('{', i);
            if (open < 0)
            {
                text.Append(pattern, i, pattern.Length - i);
                break;
            }
            int close = pattern.IndexOf('}', open);
            text.Append(pattern, i, open - i);
            var value = values[pattern[(open + 1)..close]];
            if (value.Length == 0)
            {
                int keep = text.Length;
                while (keep > 0 && IsSeparator(text[keep - 1]))
                {
                    keep--;
                }
                text.Length = keep;
            }
            text.Append(value);
            i = close + 1;
        }
        return text.ToString().Trim().TrimStart(",，、;； ".ToCharArray());
    }

    private static bool IsSeparator(char c) => c is ',' or '，' or '、' or ';' or '；' or ' ';
}
