using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Wan.Creative;
using Wan.Creative.Safety;
using Wan.Creative.Templates;
using Wan.Errors;
using Wan.Runtime.Pipeline;
using Wan.Server.Api;

namespace Wan.Server.Creative;

/// <summary>
/// The creative stages of <c>wan serve</c>, on the same library code as <c>wan generate</c>
/// (<see cref="CreativePreparation"/>): at submission the prompt filter, the prompt-extension hook, the template
/// (expanded prompt, pinned settings) and the post-processing/label fields are checked and folded into the request,
/// before anything is queued; after generation <see cref="Finisher"/> classifies and finishes the video. Owns the
/// template library (hot-reloaded), the frame classifier and the extension client.
/// </summary>
public sealed class CreativeService : IDisposable
{
    private readonly PromptFilter? _filter;
    private readonly PromptExtension? _extension;
    private readonly FrameClassifier? _classifier;
    private readonly AssetFolder _assets;
    private readonly ILogger<CreativeService> _log;

    /// <summary>Loads everything <paramref name="options"/> names, so a bad setting stops the server's start.</summary>
    /// <exception cref="FileNotFoundException">A block list or the classifier model is missing.</exception>
    /// <exception cref="DirectoryNotFoundException">The templates or assets folder is missing.</exception>
    /// <exception cref="InvalidDataException">A block list is not UTF-8 or has an empty entry; the classifier is not a usable ONNX model.</exception>
    /// <exception cref="RequestException">The classifier threshold or frame count is impossible.</exception>
    /// <exception cref="DllNotFoundException">A classifier is configured and ONNX Runtime's native library cannot be loaded.</exception>
    public CreativeService(CreativeServerOptions options, ILogger<CreativeService> log)
    {
        ArgumentNullException.ThrowIfNull(options);
        _log = log;
        _filter = options.BlockLists.Count > 0 ? PromptFilter.Load(options.BlockLists) : null;
        _assets = new AssetFolder(options.AssetsDirectory);
        Templates = options.TemplatesDirectory is { } templates ? TemplateLibrary.Open(templates, watch: true) : null;
        _extension = options.PromptExtensionUrl is { } url ? new PromptExtension(url) : null;
        _classifier = options.SafetyModel is { } model
            ? FrameClassifier.Open(model, new FrameClassifierOptions { Threshold = options.SafetyThreshold, SampledFrames = options.SafetyFrames })
            : null;
        Finisher = new VideoFinisher(_assets, _classifier);
    }

    /// <summary>The template library, or null when none is configured.</summary>
    public TemplateLibrary? Templates { get; }

    /// <summary>Classifies and writes finished videos.</summary>
    public VideoFinisher Finisher { get; }

    /// <summary>
    /// Applies the creative stages to <paramref name="body"/> in place — prompt filtered, extended, templated (pinned
    /// settings fill only the fields the client left out; a template's style is used when the request names none) and
    /// filtered again — and returns the creative part of the spec (null when the request has no template, post or
    /// label). Runs before <see cref="RequestValidator.Validate"/>, which then checks the settings the template pinned.
    /// </summary>
    /// <exception cref="RequestRejectedException">422 for a prompt the filter refuses; 400 for an unknown template, a bad
    /// <c>post</c>/<c>label</c> object, a file outside the assets folder or missing, post-processing on a non-MP4 format.</exception>
    public async Task<CreativeSpec?> PrepareAsync(VideoRequestBody body, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (string.IsNullOrWhiteSpace(body.Prompt))
        {
            // The validator names the missing prompt.
            return null;
        }
        var template = body.Template is { } name ? Template(name) : null;
        var defaults = new GenerationRequest { Prompt = body.Prompt, NegativePrompt = body.NegativePrompt ?? "" };
        var given = Given(body);
        PreparedRequest prepared;
        try
        {
            prepared = await CreativePreparation.PrepareAsync(defaults, new CreativeSettings { Filter = _filter, Extension = _extension, Template = template },
                given, cancellation).ConfigureAwait(false);
        }
        catch (PromptRefusedException e)
        {
            // The block list's location is the server's business.
            throw new RequestRejectedException(StatusCodes.Status422UnprocessableEntity, "prompt refused", e.Message.Replace($" ({e.Term.Source})", "", StringComparison.Ordinal));
        }
        catch (RequestException e)
        {
            throw Invalid(e.Message);
        }
        foreach (var warning in prepared.Warnings)
        {
            _log.LogWarning("prompt extension: {Warning}", warning);
        }
        Fill(body, prepared, template, given);
        var post = PostProcessingRequest.Check(body, _assets);
        if (template is null && post is null)
        {
            return null;
        }
        return new CreativeSpec { Template = template?.Name, Post = post?.Object, Assets = post?.Assets ?? [] };
    }

    /// <summary>Releases the template watcher, the classifier and the extension client.</summary>
    public void Dispose()
    {
        Templates?.Dispose();
        _classifier?.Dispose();
        _extension?.Dispose();
    }

    private PromptTemplate Template(string name)
    {
        if (Templates is null)
        {
            throw Invalid($"template '{name}': this server has no template library (Wan:Creative:TemplatesDirectory)");
        }
        try
        {
            return Templates.Get(name);
        }
        catch (TemplateException e)
        {
            throw Invalid(e.Message.Replace($" in {Templates.Directory}", "", StringComparison.Ordinal));
        }
    }

    private static HashSet<RequestSetting> Given(VideoRequestBody body)
    {
        var given = new HashSet<RequestSetting>();
        void Add(bool set, RequestSetting setting)
        {
            if (set)
            {
                given.Add(setting);
            }
        }
        Add(!string.IsNullOrEmpty(body.NegativePrompt), RequestSetting.NegativePrompt);
        Add(body.Width is not null || body.Height is not null, RequestSetting.Size);
        Add(body.Frames is not null, RequestSetting.Frames);
        Add(body.Steps is not null, RequestSetting.Steps);
        Add(body.Guidance is { ValueKind: not JsonValueKind.Null }, RequestSetting.Guidance);
        Add(body.Shift is not null, RequestSetting.Shift);
        Add(body.Solver is not null, RequestSetting.Solver);
        Add(body.Fps is not null, RequestSetting.Fps);
        Add(body.Style is not null, RequestSetting.Style);
        return given;
    }

    /// <summary>
    /// Writes the prepared prompt back, and the settings a template pins into the fields the client left out; fields
    /// nobody set stay empty, so the style's recommendations and the defaults still apply to them.
    /// </summary>
    private static void Fill(VideoRequestBody body, PreparedRequest prepared, PromptTemplate? template, HashSet<RequestSetting> given)
    {
        var r = prepared.Request;
        body.Prompt = r.Prompt;
        if (template is null)
        {
            return;
        }
        var d = template.Defaults;
        bool Pinned(RequestSetting setting, bool pinned) => pinned && !given.Contains(setting);
        if (Pinned(RequestSetting.NegativePrompt, r.NegativePrompt.Length > 0))
        {
            body.NegativePrompt = r.NegativePrompt;
        }
        if (Pinned(RequestSetting.Size, d.Width is not null || d.Height is not null))
        {
            (body.Width, body.Height) = (r.Width, r.Height);
        }
        if (Pinned(RequestSetting.Guidance, d.GuidanceLow is not null || d.GuidanceHigh is not null))
        {
            body.Guidance = JsonSerializer.SerializeToElement(new[] { r.GuidanceLow, r.GuidanceHigh });
        }
        body.Frames = Pinned(RequestSetting.Frames, d.Frames is not null) ? r.Frames : body.Frames;
        body.Steps = Pinned(RequestSetting.Steps, d.Steps is not null) ? r.Steps : body.Steps;
        body.Shift = Pinned(RequestSetting.Shift, d.Shift is not null) ? r.Shift : body.Shift;
        body.Solver = Pinned(RequestSetting.Solver, d.Solver is not null) ? r.Solver : body.Solver;
        body.Fps = Pinned(RequestSetting.Fps, d.Fps is not null) ? r.Fps : body.Fps;
        body.Style ??= prepared.TemplateStyle;
    }

    private static RequestRejectedException Invalid(string detail) => new(StatusCodes.Status400BadRequest, "invalid request", detail);
}
