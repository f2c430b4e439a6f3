using System.Text.Json;
using System.Text.RegularExpressions;
using Wan.Runtime.Pipeline.Solvers;

namespace Wan.Creative.Templates;

/// <summary>
/// Reads and fully validates one template manifest, <c>TEMPLATES_DIR/NAME.json</c>:
/// <code>
/// {
///   "name": "product-hero",                    required, = the file name without .json; [a-z0-9][a-z0-9._-]{0,63}
///   "description": "clean studio product shot",  optional
///   "en": { "pattern": "{prompt}, {style}, {camera}, {lighting}",   required in a wording; {prompt} exactly once;
///           "style": ["studio photography", "8k"],                    other placeholders: {style} {camera} {lighting}
///           "camera": "slow orbit", "lighting": "softbox key light", "negative_prompt": "blurry, text" },
///   "zh": { ... the same keys ... },           at least one of "en" / "zh"
///   "defaults": { "width": 832, "height": 480, "frames": 81, "steps": 40, "guidance": 3.5 | [low, high],
///                 "shift": 12, "solver": "unipc", "fps": 16, "style": "ink-wash" }   optional, each optional
/// }
/// </code>
/// Unknown keys are errors (a typo must not silently drop a setting). Every problem is a <see cref="TemplateException"/>
/// naming the manifest and the field.
/// </summary>
public static partial class TemplateManifest
{
    private static readonly string[] TopLevelKeys = ["name", "description", "en", "zh", "defaults"];
    private static readonly string[] WordingKeys = ["pattern", "style", "camera", "lighting", "negative_prompt"];
    private static readonly string[] DefaultKeys = ["width", "height", "frames", "steps", "guidance", "shift", "solver", "fps", "style"];
    private static readonly string[] Placeholders = ["prompt", "style", "camera", "lighting"];

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("\\{([^{}]*)\\}")]
    private static partial Regex PlaceholderPattern();

    /// <summary>The template in <paramref name="manifestPath"/>.</summary>
    /// <exception cref="TemplateException">The manifest is unusable (one line: file, field, problem).</exception>
    public static PromptTemplate Load(string manifestPath)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(manifestPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TemplateException($"{manifestPath}: cannot read the template manifest ({e.Message})");
        }
        try
        {
            using var doc = JsonDocument.Parse(bytes);
            return Parse(doc.RootElement, manifestPath);
        }
        catch (JsonException e)
        {
            throw new TemplateException($"{manifestPath}: not valid JSON ({e.Message})");
        }
    }

    private static PromptTemplate Parse(JsonElement root, string path)
    {
        TemplateException Bad(string problem) => new($"{path}: {problem}");
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Bad("a template manifest is a JSON object");
        }
        CheckKeys(root, TopLevelKeys, "", Bad);
        var expectedName = Path.GetFileNameWithoutExtension(path);
        var name = String(root, "name", "", Bad) ?? throw Bad("\"name\" is required");
        if (!NamePattern().IsMatch(name))
        {
            throw Bad($"\"name\" '{name}' must match [a-z0-9][a-z0-9._-]{{0,63}}");
        }
        if (name != expectedName)
        {
            throw Bad($"\"name\" '{name}' must equal the file name '{expectedName}'");
        }
        var english = Wording(root, "en", Bad);
        var chinese = Wording(root, "zh", Bad);
        if (english is null && chinese is null)
        {
            throw Bad("a template needs at least one wording: \"en\" or \"zh\"");
        }
        return new PromptTemplate(name, String(root, "description", "", Bad) ?? "", english, chinese, Defaults(root, Bad), Path.GetFullPath(path));
    }

    private static TemplateWording? Wording(JsonElement root, string key, Func<string, TemplateException> bad)
    {
        if (!root.TryGetProperty(key, out var w))
        {
            return null;
        }
        if (w.ValueKind != JsonValueKind.Object)
        {
            throw bad($"\"{key}\" must be an object {{\"pattern\", \"style\", \"camera\", \"lighting\", \"negative_prompt\"}}");
        }
        var where = key + ".";
        CheckKeys(w, WordingKeys, where, bad);
        var pattern = String(w, "pattern", where, bad) ?? throw bad($"{where}pattern is required");
        var used = PlaceholderPattern().Matches(pattern).Select(m => m.Groups[1].Value).ToList();
        if (used.FirstOrDefault(p => !Placeholders.Contains(p)) is { } unknown)
        {
            throw bad($"{where}pattern: unknown placeholder {{{unknown}}} (known: {string.Join(", ", Placeholders.Select(p => "{" + p + "}"))})");
        }
        if (used.Count(p => p == "prompt") != 1)
        {
            throw bad($"{where}pattern must contain {{prompt}} exactly once");
        }
        if (PlaceholderPattern().Replace(pattern, "").IndexOfAny(['{', '}']) >= 0)
        {
            throw bad($"{where}pattern has an unmatched brace");
        }
        var style = new List<string>();
        if (w.TryGetProperty("style", out var styleJson))
        {
            if (styleJson.ValueKind != JsonValueKind.Array || styleJson.EnumerateArray().Any(s => s.ValueKind != JsonValueKind.String || s.GetString()!.Trim().Length == 0))
            {
                throw bad($"{where}style must be an array of non-empty strings");
            }
            style.AddRange(styleJson.EnumerateArray().Select(s => s.GetString()!.Trim()));
        }
        return new TemplateWording(pattern, style, String(w, "camera", where, bad)?.Trim() ?? "", String(w, "lighting", where, bad)?.Trim() ?? "",
            String(w, "negative_prompt", where, bad));
    }

    private static TemplateDefaults Defaults(JsonElement root, Func<string, TemplateException> bad)
    {
        if (!root.TryGetProperty("defaults", out var d))
        {
            return new TemplateDefaults();
        }
        if (d.ValueKind != JsonValueKind.Object)
        {
            throw bad("\"defaults\" must be an object");
        }
        CheckKeys(d, DefaultKeys, "defaults.", bad);
        int? Int(string key, int min, int max, Func<int, bool> valid, string rule)
        {
            if (!d.TryGetProperty(key, out var v))
            {
                return null;
            }
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out var n) || n < min || n > max || !valid(n))
            {
                throw bad($"defaults.{key} must be {rule}");
            }
            return n;
        }
        var width = Int("width", 16, 8192, n => n % 16 == 0, "a multiple of 16 in 16..8192");
        var height = Int("height", 16, 8192, n => n % 16 == 0, "a multiple of 16 in 16..8192");
        var frames = Int("frames", 1, 1025, n => (n - 1) % 4 == 0, "4k+1 in 1..1025");
        var steps = Int("steps", 1, 200, _ => true, "an integer in 1..200");
        var fps = Int("fps", 1, 120, _ => true, "an integer in 1..120");
        double? low = null, high = null, shift = null;
        if (d.TryGetProperty("guidance", out var g))
        {
            double[] values = g.ValueKind switch
            {
                JsonValueKind.Number => [g.GetDouble()],
                JsonValueKind.Array when g.GetArrayLength() == 2 && g.EnumerateArray().All(v => v.ValueKind == JsonValueKind.Number) =>
                    [.. g.EnumerateArray().Select(v => v.GetDouble())],
                _ => [],
            };
            if (values.Length == 0 || values.Any(v => !double.IsFinite(v) || v < 0 || v > 30))
            {
                throw bad("defaults.guidance must be a number or [low, high], each in 0..30");
            }
            (low, high) = (values[0], values[^1]);
        }
        if (d.TryGetProperty("shift", out var s))
        {
            if (s.ValueKind != JsonValueKind.Number || !double.IsFinite(s.GetDouble()) || s.GetDouble() <= 0 || s.GetDouble() > 100)
            {
                throw bad("defaults.shift must be a number in (0, 100]");
            }
            shift = s.GetDouble();
        }
        var solver = String(d, "solver", "defaults.", bad);
        if (solver is not null && !FlowSolvers.Names.Contains(solver))
        {
            throw bad($"defaults.solver '{solver}' must be one of {string.Join(", ", FlowSolvers.Names)}");
        }
        var style = String(d, "style", "defaults.", bad);
        if (style is not null && !NamePattern().IsMatch(style))
        {
            throw bad($"defaults.style '{style}' is not a style name ([a-z0-9][a-z0-9._-]{{0,63}})");
        }
        return new TemplateDefaults(width, height, frames, steps, low, high, shift, solver, fps, style);
    }

    private static void CheckKeys(JsonElement obj, string[] known, string where, Func<string, TemplateException> bad)
    {
        foreach (var p in obj.EnumerateObject())
        {
            if (!known.Contains(p.Name))
            {
                throw bad($"unknown key \"{where}{p.Name}\" (known: {string.Join(", ", known)})");
            }
        }
    }

    private static string? String(JsonElement obj, string key, string where, Func<string, TemplateException> bad)
    {
        if (!obj.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        return v.ValueKind == JsonValueKind.String ? v.GetString()! : throw bad($"{where}{key} must be a string");
    }
}
