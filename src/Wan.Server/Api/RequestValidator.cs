using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Wan.Errors;
using Wan.Runtime.Config;
using Wan.Runtime.Pipeline;
using Wan.Runtime.Pipeline.Solvers;
using Wan.Runtime.Lora;
using Wan.Runtime.Styles;
using Wan.Server.Jobs;
using Wan.Server.Styles;

namespace Wan.Server.Api;

/// <summary>
/// Turns a <see cref="VideoRequestBody"/> into a normalised <see cref="VideoSpec"/>, refusing what cannot
/// run before anything is queued. The generation settings are checked by the library's own
/// <see cref="GenerationRequest.Validate"/>, <see cref="GenerationRequest.LatentShape"/> (on the model's
/// geometry) and <see cref="GenerationRequest.CheckHostMemory"/>, the calls <c>wan generate</c> makes before
/// loading, so the server and the CLI accept exactly the same requests; the server adds its own limits
/// (format, priority, video size) and resolves <c>style</c> and <c>loras</c> against the configured folders
/// (<see cref="ServerStyles"/>) with the CLI's rules (<see cref="StyledRequest"/>).
/// </summary>
public static class RequestValidator
{
    /// <summary>The spec and priority of an accepted request.</summary>
    /// <exception cref="RequestRejectedException">400 for an invalid setting (named), 413 for a video over <see cref="ServerOptions.MaxVideoPixels"/> or the host memory.</exception>
    public static (VideoSpec Spec, int Priority) Validate(VideoRequestBody body, ServerOptions options, ModelGeometry geometry, ServerStyles styles)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(styles);
        if (string.IsNullOrWhiteSpace(body.Prompt))
        {
            throw Invalid("prompt is required and must not be empty");
        }
        var format = body.Format ?? VideoFormats.Names[0];
        if (!VideoFormats.Names.Contains(format))
        {
            throw Invalid($"format '{format}' is unknown; expected one of {string.Join(", ", VideoFormats.Names)}");
        }
        int priority = body.Priority ?? 0;
        if (priority is < 0 or > 9)
        {
            throw Invalid($"priority must be 0 to 9, got {priority}");
        }
        var (low, high) = Guidance(body.Guidance);
        var request = new GenerationRequest
        {
            Prompt = body.Prompt,
            NegativePrompt = string.IsNullOrEmpty(body.NegativePrompt) ? WanDefaults.NegativePrompt : body.NegativePrompt,
            Frames = body.Frames ?? WanDefaults.Frames,
            Height = body.Height ?? WanDefaults.Height,
            Width = body.Width ?? WanDefaults.Width,
            Steps = body.Steps ?? FlowSolvers.T2VA14BSteps,
            Seed = body.Seed ?? 0,
            GuidanceLow = low,
            GuidanceHigh = high,
            Shift = body.Shift ?? FlowSolvers.T2VA14BShift,
            Solver = body.Solver ?? "unipc",
            Fps = body.Fps ?? WanDefaults.Fps,
        };
        Style? style;
        try
        {
            (request, style) = Styled(request, body, styles, options.ModelDirectory);
            request.Validate();
            request.LatentShape(geometry);
            // The job runner keeps the whole video (EngineJobRunner writes result.Video).
            request.CheckHostMemory(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, geometry, holdsWholeVideo: true);
        }
        catch (RequestException e)
        {
            throw Invalid(e.Message);
        }
        catch (Exception e) when (e is StyleException or LoraFormatException)
        {
            throw Invalid(e.Message);
        }
        catch (MemoryExhaustedException e)
        {
            throw new RequestRejectedException(StatusCodes.Status413PayloadTooLarge, "video too large", e.Message);
        }
        long pixels = checked((long)request.Frames * request.Height * request.Width);
        if (pixels > options.MaxVideoPixels)
        {
            throw new RequestRejectedException(StatusCodes.Status413PayloadTooLarge, "video too large",
                $"{request.Frames} frames of {request.Width}x{request.Height} are {pixels:N0} pixels; this server accepts at most {options.MaxVideoPixels:N0}");
        }
        var spec = new VideoSpec
        {
            Prompt = request.Prompt,
            NegativePrompt = request.NegativePrompt,
            Frames = request.Frames,
            Height = request.Height,
            Width = request.Width,
            Steps = request.Steps,
            Seed = request.Seed,
            GuidanceLow = request.GuidanceLow,
            GuidanceHigh = request.GuidanceHigh,
            Shift = request.Shift,
            Solver = request.Solver,
            Fps = request.Fps,
            Format = format,
            Style = style?.Name,
            StyleVersion = style is null ? null : styles.VersionOf(style),
            Loras = [.. request.Loras?.Specs.Select(styles.Describe) ?? []],
        };
        return (spec, priority);
    }

    // The request's LoRAs (from the LoRA folder only), then the style as the CLI applies it: settings the body gives win.
    private static (GenerationRequest Request, Style? Style) Styled(GenerationRequest request, VideoRequestBody body, ServerStyles styles, string modelDirectory)
    {
        if (body.Loras is { Count: > 0 } loras)
        {
            request = request with
            {
                Loras = new LoraSet(loras.Select(l => styles.ResolveLora(l.Name ?? throw new LoraFormatException("loras: every entry needs a name"), l.Strength ?? 1f, l.Expert ?? "both"))),
            };
        }
        var style = body.Style is { } name ? styles.Get(name) : null;
        request = StyledRequest.Apply(request, style, null, setting => setting switch
        {
            StyleSetting.NegativePrompt => !string.IsNullOrEmpty(body.NegativePrompt),
            StyleSetting.Steps => body.Steps is not null,
            StyleSetting.Guidance => body.Guidance is { ValueKind: not JsonValueKind.Null },
            StyleSetting.Shift => body.Shift is not null,
            _ => body.Solver is not null,
        });
        if (request.Loras is { IsEmpty: false } set)
        {
            styles.Preflight(set, modelDirectory);
        }
        return (request, style);
    }

    private static (double Low, double High) Guidance(JsonElement? element)
    {
        if (element is not { } value || value.ValueKind == JsonValueKind.Null)
        {
            return (WanDefaults.GuidanceLow, WanDefaults.GuidanceHigh);
        }
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var both) && double.IsFinite(both))
        {
            return (both, both);
        }
        if (value.ValueKind == JsonValueKind.Array && value.GetArrayLength() == 2
            && value[0].ValueKind == JsonValueKind.Number && value[1].ValueKind == JsonValueKind.Number
            && value[0].TryGetDouble(out var low) && value[1].TryGetDouble(out var high) && double.IsFinite(low) && double.IsFinite(high))
        {
            return (low, high);
        }
        throw Invalid($"guidance {value.GetRawText()}: expected one number or [low, high]");
    }

    private static RequestRejectedException Invalid(string detail) => new(StatusCodes.Status400BadRequest, "invalid request", detail);
}
