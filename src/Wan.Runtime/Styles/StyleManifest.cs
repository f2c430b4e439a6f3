using System.Text.Json;
using System.Text.RegularExpressions;
using Wan.Runtime.Pipeline.Solvers;

namespace Wan.Runtime.Styles;

/// <summary>
/// Reads and fully validates one style manifest, <c>STYLES_DIR/NAME.json</c>:
/// <code>
/// {
///   "name": "ink-wash",                       required, = the file name without .json; [a-z0-9][a-z0-9._-]{0,63}
///   "description": "Chinese ink painting",    optional
///   "loras": [ { "file": "ink_high.safetensors", "strength": 0.8, "expert": "high" } ],
///                                             file relative to the styles folder, must be a LoRA of a known format;
///                                             strength finite in [-4, 4] (default 1); expert high | low | both (default both)
///   "trigger_words": ["inkwash"],             optional
///   "prompt_prefix": "", "prompt_suffix": "", "negative_prompt": "...",   optional
///   "recommended": { "preset": "lightning", "steps": 4, "guidance": 1.0 | [low, high], "shift": 5.0, "sampler": "step-distill" }
///                                             optional; a preset's fields, then the explicit ones; steps 1..200,
///                                             guidance 0..30, shift (0, 100], sampler a solver name that accepts the steps
/// }
/// </code>
/// Unknown keys are errors (a typo must not silently drop a setting). Every problem is a <see cref="StyleException"/>
/// naming the manifest and the field.
/// </summary>
public static partial class StyleManifest
{
    /// <summary>Largest |strength| a manifest may give a LoRA.</summary>
    public const float MaxStrength = 4f;

    /// <summary>Largest guidance scale a manifest may recommend.</summary>
    public const double MaxGuidance = 30;

    /// <summary>Largest step count a manifest may recommend.</summary>
    public const int MaxSteps = 200;

    /// <summary>Largest timestep shift a manifest may recommend.</summary>
    public const double MaxShift = 100;

    private static readonly string[] TopLevelKeys =
        ["name", "description", "loras", "trigger_words", "prompt_prefix", "prompt_suffix", "negative_prompt", "recommended"];
    private static readonly string[] LoraKeys = ["file", "strength", "expert"];
    private static readonly string[] RecommendedKeys = ["preset", "steps", "guidance", "shift", "sampler"];
    private static readonly string[] Experts = ["high", "low", "both"];

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$")]
    private static partial Regex NamePattern();

    /// <summary>The style in <paramref name="manifestPath"/>, its LoRAs checked by <paramref name="validator"/>.</summary>
    /// <exception cref="StyleException">The manifest or a LoRA it names is unusable (one line: file, field, problem).</exception>
    public static Style Load(string manifestPath, ILoraFileValidator validator)
    {
        ArgumentNullException.ThrowIfNull(validator);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(manifestPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StyleException($"{manifestPath}: cannot read the style manifest ({e.Message})");
        }
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(bytes);
        }
        catch (JsonException e)
        {
            throw new StyleException($"{manifestPath}: not valid JSON ({e.Message})");
        }
        using (doc)
        {
            return Parse(doc.RootElement, manifestPath, validator);
        }
    }

    private static Style Parse(JsonElement root, string path, ILoraFileValidator validator)
    {
        StyleException Bad(string problem) => new($"{path}: {problem}");
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Bad("a style manifest is a JSON object");
        }
        CheckKeys(root, TopLevelKeys, "", Bad);

        var expectedName = Path.GetFileNameWithoutExtension(path);
        var name = String(root, "name", Bad) ?? throw Bad("\"name\" is required");
        if (!NamePattern().IsMatch(name))
        {
            throw Bad($"\"name\" '{name}' must match [a-z0-9][a-z0-9._-]{{0,63}}");
        }
        if (name != expectedName)
        {
            throw Bad($"\"name\" '{name}' must equal the file name '{expectedName}'");
        }
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;

        var loras = new List<StyleLora>();
        if (root.TryGetProperty("loras", out var lorasJson))
        {
            if (lorasJson.ValueKind != JsonValueKind.Array)
            {
                throw Bad("\"loras\" must be an array");
            }
            int i = 0;
            foreach (var item in lorasJson.EnumerateArray())
            {
                loras.Add(Lora(item, $"loras[{i++}]", folder, validator, Bad));
            }
        }

        var triggers = new List<string>();
        if (root.TryGetProperty("trigger_words", out var triggerJson))
        {
            if (triggerJson.ValueKind != JsonValueKind.Array || triggerJson.EnumerateArray().Any(t => t.ValueKind != JsonValueKind.String || t.GetString()!.Trim().Length == 0))
            {
                throw Bad("\"trigger_words\" must be an array of non-empty strings");
            }
            triggers.AddRange(triggerJson.EnumerateArray().Select(t => t.GetString()!.Trim()));
        }

        var (steps, low, high, shift, sampler) = Recommended(root, Bad);
        return new Style(name, String(root, "description", Bad) ?? "", loras, triggers,
            String(root, "prompt_prefix", Bad)?.Trim() ?? "", String(root, "prompt_suffix", Bad)?.Trim() ?? "",
            String(root, "negative_prompt", Bad), steps, low, high, shift, sampler, Path.GetFullPath(path));
    }

    private static StyleLora Lora(JsonElement item, string where, string folder, ILoraFileValidator validator, Func<string, StyleException> bad)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw bad($"{where} must be an object {{\"file\", \"strength\", \"expert\"}}");
        }
        CheckKeys(item, LoraKeys, where + ".", bad);
        var file = String(item, "file", bad, where + ".") ?? throw bad($"{where}.file is required");
        var full = Path.GetFullPath(Path.Combine(folder, file));
        if (!File.Exists(full))
        {
            throw bad($"{where}.file '{file}': LoRA file not found ({full})");
        }
        float strength = 1f;
        if (item.TryGetProperty("strength", out var s))
        {
            if (s.ValueKind != JsonValueKind.Number || !float.IsFinite(strength = s.GetSingle()) || Math.Abs(strength) > MaxStrength)
            {
                throw bad($"{where}.strength must be a number in [-{MaxStrength}, {MaxStrength}]");
            }
        }
        var expert = String(item, "expert", bad, where + ".") ?? "both";
        if (!Experts.Contains(expert))
        {
            throw bad($"{where}.expert '{expert}' must be one of {string.Join(", ", Experts)}");
        }
        string format;
        try
        {
            format = validator.Describe(full);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw bad($"{where}.file '{file}': not a usable LoRA: {e.Message}");
        }
        return new StyleLora(full, strength, expert, format);
    }

    private static (int? Steps, double? Low, double? High, double? Shift, string? Sampler) Recommended(JsonElement root, Func<string, StyleException> bad)
    {
        if (!root.TryGetProperty("recommended", out var r))
        {
            return default;
        }
        if (r.ValueKind != JsonValueKind.Object)
        {
            throw bad("\"recommended\" must be an object");
        }
        CheckKeys(r, RecommendedKeys, "recommended.", bad);
        int? steps = null;
        double? low = null, high = null, shift = null;
        string? sampler = null;
        if (String(r, "preset", bad, "recommended.") is { } presetName)
        {
            var preset = SamplingPreset.All.FirstOrDefault(p => p.Name == presetName)
                         ?? throw bad($"recommended.preset '{presetName}' must be one of {string.Join(", ", SamplingPreset.All.Select(p => p.Name))}");
            (steps, low, high, shift, sampler) = (preset.Steps, preset.GuidanceLow, preset.GuidanceHigh, preset.Shift, preset.Solver);
        }
        if (r.TryGetProperty("steps", out var s))
        {
            if (s.ValueKind != JsonValueKind.Number || !s.TryGetInt32(out var n) || n < 1 || n > MaxSteps)
            {
                throw bad($"recommended.steps must be an integer in 1..{MaxSteps}");
            }
            steps = n;
        }
        if (r.TryGetProperty("guidance", out var g))
        {
            double[] values = g.ValueKind switch
            {
                JsonValueKind.Number => [g.GetDouble()],
                JsonValueKind.Array when g.GetArrayLength() == 2 && g.EnumerateArray().All(v => v.ValueKind == JsonValueKind.Number) =>
                    [.. g.EnumerateArray().Select(v => v.GetDouble())],
                _ => [],
            };
            if (values.Length == 0 || values.Any(v => !double.IsFinite(v) || v < 0 || v > MaxGuidance))
            {
                throw bad($"recommended.guidance must be a number or [low, high], each in 0..{MaxGuidance}");
            }
            (low, high) = (values[0], values[^1]);
        }
        if (r.TryGetProperty("shift", out var sh))
        {
            if (sh.ValueKind != JsonValueKind.Number || !double.IsFinite(sh.GetDouble()) || sh.GetDouble() <= 0 || sh.GetDouble() > MaxShift)
            {
                throw bad($"recommended.shift must be a number in (0, {MaxShift}]");
            }
            shift = sh.GetDouble();
        }
        if (String(r, "sampler", bad, "recommended.") is { } name)
        {
            sampler = name;
        }
        if (sampler is not null)
        {
            try
            {
                FlowSolvers.Create(sampler, steps ?? FlowSolvers.T2VA14BSteps, shift ?? FlowSolvers.T2VA14BShift);
            }
            catch (ArgumentException e)
            {
                throw bad($"recommended.sampler: {e.Message}");
            }
        }
        return (steps, low, high, shift, sampler);
    }

    private static void CheckKeys(JsonElement obj, string[] known, string where, Func<string, StyleException> bad)
    {
        foreach (var p in obj.EnumerateObject())
        {
            if (!known.Contains(p.Name))
            {
                throw bad($"unknown key \"{where}{p.Name}\" (known: {string.Join(", ", known)})");
            }
        }
    }

    private static string? String(JsonElement obj, string key, Func<string, StyleException> bad, string where = "")
    {
        if (!obj.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        return v.ValueKind == JsonValueKind.String ? v.GetString()! : throw bad($"{where}{key} must be a string");
    }
}
