using System.CommandLine;
using System.Globalization;
using Wan.Creative;
using Wan.Creative.Labels;
using Wan.Creative.PostProcessing;
using Wan.Creative.Safety;
using Wan.Creative.Templates;
using Wan.Errors;
using Wan.Runtime.Pipeline;

namespace Wan.Cli;

/// <summary>
/// The <c>wan generate</c> options for the people who make the videos: prompt templates and the extension hook, the
/// safety filter and frame classifier, AI-content labels, post-processing. <see cref="Prepare"/> applies them to a
/// request and checks every file they name before the model is loaded.
/// </summary>
internal sealed class CreativeOptions
{
    /// <summary>The environment variable naming the templates folder when <c>--templates</c> is absent.</summary>
    public const string TemplatesVariable = "WAN_TEMPLATES";

    private readonly Option<DirectoryInfo> _templates = new("--templates") { Description = $"prompt templates folder (NAME.json); default: ${TemplatesVariable}" };
    private readonly Option<string> _template = new("--template") { Description = "expand the prompt with this template (style words, camera, lighting, negative prompt, pinned settings)" };
    private readonly Option<Uri> _extensionUrl = new("--prompt-extension-url") { Description = "POST the prompt to this prompt-extension service first (off by default; failure keeps the prompt, with a warning)" };
    private readonly Option<FileInfo[]> _blockLists = new("--block-list") { Description = "block list file(s) of the prompt filter (UTF-8, one term per line, any language)", AllowMultipleArgumentsPerToken = true };
    private readonly Option<FileInfo> _safetyModel = new("--safety-model") { Description = "ONNX image classifier scoring sampled frames; the video is refused above --safety-threshold" };
    private readonly Option<double> _safetyThreshold = new("--safety-threshold") { Description = "frame classifier threshold", DefaultValueFactory = _ => 0.5 };
    private readonly Option<int> _safetyFrames = new("--safety-frames") { Description = "frames the classifier scores (evenly spread)", DefaultValueFactory = _ => 8 };
    private readonly Option<bool> _noLabel = new("--no-ai-label") { Description = "do not write the AI-generated metadata label into the MP4 (written by default)" };
    private readonly Option<bool> _visibleLabel = new("--visible-label") { Description = "draw a visible AI-generated label (needs a CJK font: Debian fonts-wqy-microhei)" };
    private readonly Option<string> _labelText = new("--label-text") { Description = "visible label text", DefaultValueFactory = _ => "AI生成" };
    private readonly Option<string> _labelPosition = new("--label-position") { Description = string.Join(" | ", ScreenPositions.Names), DefaultValueFactory = _ => "bottom-right" };
    private readonly Option<FileInfo> _post = new("--post") { Description = "post-processing JSON (logo, subtitles, audio, fps, upscale, color, denoise, label)" };
    private readonly Option<FileInfo> _logo = new("--logo") { Description = "logo image over the video (top-right, 20% of the width, 80% opacity; --post for more)" };
    private readonly Option<FileInfo> _subtitles = new("--subtitles") { Description = "SRT subtitles, burned in (--soft-subtitles: a subtitle track)" };
    private readonly Option<bool> _softSubtitles = new("--soft-subtitles") { Description = "put --subtitles in a subtitle track instead of burning them in" };
    private readonly Option<FileInfo> _audio = new("--audio") { Description = "audio track fitted to the video (trimmed or padded, 1 s fade-out)" };
    private readonly Option<int?> _outputFps = new("--output-fps") { Description = "frame rate after motion interpolation (e.g. 24 or 32 from 16)" };
    private readonly Option<string> _upscale = new("--upscale") { Description = "WIDTHxHEIGHT after lanczos upscaling" };

    public CreativeOptions()
    {
        _labelPosition.AcceptOnlyFromAmong([.. ScreenPositions.Names]);
    }

    /// <summary>Adds every option to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _templates, _template, _extensionUrl, _blockLists, _safetyModel, _safetyThreshold, _safetyFrames, _noLabel,
                     _visibleLabel, _labelText, _labelPosition, _post, _logo, _subtitles, _softSubtitles, _audio, _outputFps, _upscale })
        {
            command.Add(option);
        }
    }

    /// <summary>
    /// The request to generate and how to finish the video: the prompt filtered (before anything else), extended,
    /// templated and filtered again; every file named checked; the classifier loaded. Throws before the model is loaded.
    /// </summary>
    /// <exception cref="PromptRefusedException">The prompt, negative prompt or expanded prompt contains a blocked term.</exception>
    /// <exception cref="TemplateException">Unknown or broken template.</exception>
    /// <exception cref="RequestException">A bad option value (names the option).</exception>
    /// <exception cref="FileNotFoundException">A named file (block list, model, logo, subtitles, audio, font) is missing.</exception>
    /// <returns>The prepared request (with the style the template pins) and how to write the video.</returns>
    public async Task<(PreparedRequest Prepared, CreativeOutput Output)> Prepare(
        ParseResult parse, GenerationRequest request, IReadOnlySet<RequestSetting> explicitSettings, string outputPath, CancellationToken cancellation)
    {
        var filter = parse.GetValue(_blockLists) is { Length: > 0 } lists ? PromptFilter.Load(lists.Select(f => f.FullName)) : null;
        // Refuse a blocked prompt before anything else is read.
        filter?.Enforce(request.Prompt);
        var finishing = Finishing(parse);
        var isMp4 = Path.GetExtension(outputPath).Equals(".mp4", StringComparison.OrdinalIgnoreCase);
        if (!isMp4 && (finishing.Post.Any || finishing.Label.Visible))
        {
            throw new RequestException("output", outputPath, "post-processing and the visible label need an .mp4 output");
        }
        finishing.Validate();
        var template = parse.GetValue(_template) is { } name ? OpenTemplates(parse.GetValue(_templates)).Get(name) : null;
        using var extension = parse.GetValue(_extensionUrl) is { } url ? new PromptExtension(url) : null;
        var prepared = await CreativePreparation.PrepareAsync(request, new CreativeSettings { Filter = filter, Extension = extension, Template = template },
            explicitSettings, cancellation);
        foreach (var warning in prepared.Warnings)
        {
            Console.Error.WriteLine($"wan: warning: {warning}");
        }
        if (template is not null)
        {
            Console.Error.WriteLine($"wan: template {template.Name}: {prepared.Request.Prompt}");
        }
        var classifier = parse.GetValue(_safetyModel) is { } model
            ? FrameClassifier.Open(model.FullName, new FrameClassifierOptions { Threshold = parse.GetValue(_safetyThreshold), SampledFrames = parse.GetValue(_safetyFrames) })
            : null;
        return (prepared, new CreativeOutput(isMp4 ? finishing : null, classifier));
    }

    private static TemplateLibrary OpenTemplates(DirectoryInfo? folder)
    {
        var path = folder?.FullName ?? Environment.GetEnvironmentVariable(TemplatesVariable);
        if (string.IsNullOrEmpty(path))
        {
            throw new RequestException("template", "", $"needs a templates folder: pass --templates DIR or set {TemplatesVariable}");
        }
        return TemplateLibrary.Open(path, watch: false);
    }

    /// <summary>--post's options with the single options laid over them.</summary>
    private FinishingOptions Finishing(ParseResult parse)
    {
        var options = parse.GetValue(_post) is { } post ? PostProcessManifest.Load(post.FullName) : FinishingOptions.Default;
        var p = options.Post;
        if (parse.GetValue(_logo) is { } logo)
        {
            p = p with { Logo = new LogoOptions(logo.FullName) };
        }
        if (parse.GetValue(_subtitles) is { } subtitles)
        {
            p = p with { Subtitles = new SubtitleOptions(subtitles.FullName, Burn: !parse.GetValue(_softSubtitles)) };
        }
        if (parse.GetValue(_audio) is { } audio)
        {
            p = p with { Audio = new AudioOptions(audio.FullName) };
        }
        if (parse.GetValue(_outputFps) is { } fps)
        {
            p = p with { Fps = fps };
        }
        if (parse.GetValue(_upscale) is { } size)
        {
            var parts = size.Split('x');
            if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var w)
                || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var h))
            {
                throw new RequestException("upscale", size, "expected WIDTHxHEIGHT, e.g. 1280x720");
            }
            p = p with { Width = w, Height = h };
        }
        var label = options.Label;
        if (parse.GetValue(_noLabel))
        {
            label = label with { Metadata = false };
        }
        if (parse.GetValue(_visibleLabel))
        {
            label = label with
            {
                Visible = true,
                Text = parse.GetValue(_labelText)!,
                Position = ScreenPositions.Parse(parse.GetValue(_labelPosition)!, "--label-position"),
            };
        }
        return new FinishingOptions(p, label);
    }
}
