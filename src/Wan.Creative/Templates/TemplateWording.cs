namespace Wan.Creative.Templates;

/// <summary>
/// A template's text in one language. <see cref="Pattern"/> holds the placeholders <c>{prompt}</c> (required),
/// <c>{style}</c>, <c>{camera}</c> and <c>{lighting}</c>; a placeholder whose value is empty disappears with the
/// separator before it.
/// </summary>
/// <param name="Pattern">The expanded prompt's shape, e.g. <c>"{prompt}, {style}, {camera}, {lighting}"</c>.</param>
/// <param name="StyleWords">Style words, joined with the language's list separator (", " or "，").</param>
/// <param name="Camera">Camera language ("slow dolly-in, shallow depth of field"), or "".</param>
/// <param name="Lighting">Lighting ("soft golden-hour backlight"), or "".</param>
/// <param name="NegativePrompt">The negative prompt this template supplies, or null (keep the request's).</param>
public sealed record TemplateWording(string Pattern, IReadOnlyList<string> StyleWords, string Camera, string Lighting, string? NegativePrompt);
