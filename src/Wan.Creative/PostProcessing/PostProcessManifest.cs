using System.Text.Json;
using Wan.Creative.Labels;

namespace Wan.Creative.PostProcessing;

/// <summary>
/// Reads a post-processing file (<c>wan generate --post FILE.json</c>; the service accepts the same object). Every
/// section is optional; relative file names are relative to the JSON file's folder; unknown keys are errors.
/// <code>
/// {
///   "logo":      { "file": "logo.png", "position": "top-right", "scale": 0.2, "opacity": 0.8, "margin": 8 },
///   "subtitles": { "file": "subs.srt", "mode": "burn" | "soft", "font_size": 18, "language": "chi" },
///   "audio":     { "file": "music.wav", "fade_out": 1.0, "volume": 1.0 },
///   "fps": 24,
///   "upscale":   { "width": 1280, "height": 720 },
///   "color":     { "brightness": 0, "contrast": 1, "saturation": 1, "gamma": 1 },
///   "denoise": 4,
///   "label":     { "metadata": true, "producer": "...", "content_id": "...", "visible": true, "text": "AI生成",
///                  "position": "bottom-right", "size": 0.06, "font": "/usr/share/fonts/..." }
/// }
/// </code>
/// </summary>
public static class PostProcessManifest
{
    private static readonly string[] TopKeys = ["logo", "subtitles", "audio", "fps", "upscale", "color", "denoise", "label"];

    /// <summary>The options in <paramref name="path"/>, validated (input files must exist).</summary>
    /// <exception cref="FileNotFoundException">The file or an input it names is missing.</exception>
    /// <exception cref="InvalidDataException">Not JSON, an unknown key, or a value of the wrong type (one line naming the field).</exception>
    /// <exception cref="Wan.Errors.RequestException">A value out of range (names the file and the field).</exception>
    public static FinishingOptions Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: post-processing file not found", path);
        }
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            var options = Parse(doc.RootElement, Path.GetDirectoryName(Path.GetFullPath(path))!, path);
            options.Validate();
            return options;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({e.Message})");
        }
        catch (Wan.Errors.RequestException e)
        {
            throw new Wan.Errors.RequestException("post", path, e.Message);
        }
    }

    /// <summary>The options in <paramref name="root"/>, file names resolved against <paramref name="folder"/> (not validated).</summary>
    /// <exception cref="InvalidDataException">An unknown key or a value of the wrong type.</exception>
    public static FinishingOptions Parse(JsonElement root, string folder, string source)
    {
        var r = new Reader(source, folder);
        r.Object(root, "", TopKeys);
        var post = new PostProcessOptions
        {
            Logo = r.Section(root, "logo", ["file", "position", "scale", "opacity", "margin"], s => new LogoOptions(
                r.File(s, "logo.file"), r.Position(s, "logo.position") ?? ScreenPosition.TopRight,
                r.Number(s, "logo.scale") ?? 0.2, r.Number(s, "logo.opacity") ?? 0.8, r.Int(s, "logo.margin") ?? 8)),
            Subtitles = r.Section(root, "subtitles", ["file", "mode", "font_size", "language"], s => new SubtitleOptions(
                r.File(s, "subtitles.file"), r.String(s, "subtitles.mode") switch
                {
                    null or "burn" => true,
                    "soft" => false,
                    var m => throw new InvalidDataException($"{source}: subtitles.mode '{m}' must be burn or soft"),
                }, r.Int(s, "subtitles.font_size") ?? 18, r.String(s, "subtitles.language"))),
            Audio = r.Section(root, "audio", ["file", "fade_out", "volume"], s => new AudioOptions(
                r.File(s, "audio.file"), r.Number(s, "audio.fade_out") ?? 1.0, r.Number(s, "audio.volume") ?? 1.0)),
            Fps = r.Int(root, "fps"),
            Width = r.Section<int?>(root, "upscale", ["width", "height"], s => r.Int(s, "upscale.width") ?? throw r.Bad("upscale.width is required")),
            Height = r.Section<int?>(root, "upscale", ["width", "height"], s => r.Int(s, "upscale.height") ?? throw r.Bad("upscale.height is required")),
            Color = r.Section(root, "color", ["brightness", "contrast", "saturation", "gamma"], s => new ColorOptions(
                r.Number(s, "color.brightness") ?? 0, r.Number(s, "color.contrast") ?? 1, r.Number(s, "color.saturation") ?? 1, r.Number(s, "color.gamma") ?? 1)),
            Denoise = r.Number(root, "denoise"),
        };
        var label = r.Section(root, "label", ["metadata", "producer", "content_id", "visible", "text", "position", "size", "font"], s =>
        {
            var defaults = new AiLabelOptions();
            return new AiLabelOptions
            {
                Metadata = r.Bool(s, "label.metadata") ?? defaults.Metadata,
                Producer = r.String(s, "label.producer") ?? defaults.Producer,
                ContentId = r.String(s, "label.content_id"),
                Visible = r.Bool(s, "label.visible") ?? defaults.Visible,
                Text = r.String(s, "label.text") ?? defaults.Text,
                Position = r.Position(s, "label.position") ?? defaults.Position,
                Size = r.Number(s, "label.size") ?? defaults.Size,
                FontFile = r.String(s, "label.font") is { } font ? Path.GetFullPath(Path.Combine(folder, font)) : null,
            };
        }) ?? new AiLabelOptions();
        return new FinishingOptions(post, label);
    }

    /// <summary>Typed reads of one JSON document; every failure names the source and the field.</summary>
    private sealed class Reader(string source, string folder)
    {
        public InvalidDataException Bad(string problem) => new($"{source}: {problem}");

        public void Object(JsonElement e, string where, string[] keys)
        {
            if (e.ValueKind != JsonValueKind.Object)
            {
                throw Bad($"{(where.Length == 0 ? "the post-processing file" : where)} must be a JSON object");
            }
            foreach (var p in e.EnumerateObject())
            {
                if (!keys.Contains(p.Name))
                {
                    throw Bad($"unknown key \"{(where.Length == 0 ? "" : where + ".")}{p.Name}\" (known: {string.Join(", ", keys)})");
                }
            }
        }

        public T? Section<T>(JsonElement root, string key, string[] keys, Func<JsonElement, T> read)
        {
            if (!root.TryGetProperty(key, out var s) || s.ValueKind == JsonValueKind.Null)
            {
                return default;
            }
            Object(s, key, keys);
            return read(s);
        }

        private static bool TryField(JsonElement e, string path, out JsonElement value)
        {
            var key = path[(path.LastIndexOf('.') + 1)..];
            return e.TryGetProperty(key, out value) && value.ValueKind != JsonValueKind.Null;
        }

        public string? String(JsonElement e, string path) =>
            !TryField(e, path, out var v) ? null : v.ValueKind == JsonValueKind.String ? v.GetString() : throw Bad($"{path} must be a string");

        public double? Number(JsonElement e, string path) =>
            !TryField(e, path, out var v) ? null : v.ValueKind == JsonValueKind.Number ? v.GetDouble() : throw Bad($"{path} must be a number");

        public int? Int(JsonElement e, string path) =>
            !TryField(e, path, out var v) ? null : v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) ? n : throw Bad($"{path} must be an integer");

        public bool? Bool(JsonElement e, string path) =>
            !TryField(e, path, out var v) ? null : v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : throw Bad($"{path} must be true or false");

        public ScreenPosition? Position(JsonElement e, string path)
        {
            var name = String(e, path);
            try
            {
                return name is null ? null : ScreenPositions.Parse(name, path);
            }
            catch (Wan.Errors.RequestException ex)
            {
                throw Bad(ex.Message);
            }
        }

        public string File(JsonElement e, string path) =>
            String(e, path) is { Length: > 0 } name ? Path.GetFullPath(Path.Combine(folder, name)) : throw Bad($"{path} is required");
    }
}
