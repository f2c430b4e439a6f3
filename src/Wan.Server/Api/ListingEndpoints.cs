using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Wan.Creative.Templates;
using Wan.Server.Creative;
using Wan.Server.Jobs;

namespace Wan.Server.Api;

/// <summary>
/// What the web page (and any client) lists besides the styles (<see cref="StyleEndpoints"/>): <c>GET /v1/templates</c>
/// (the configured library, current after hot reloads) and <c>GET /v1/videos</c> (the job history, newest first).
/// </summary>
public static class ListingEndpoints
{
    /// <summary>Most jobs one history page returns.</summary>
    public const int MaxHistory = 500;

    /// <summary>Maps the endpoints on <paramref name="app"/>.</summary>
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/templates", Templates).WithTags("library").WithName("ListTemplates").Produces<TemplateListBody>();
        app.MapGet("/v1/videos", History).WithTags("videos").WithName("ListVideos").Produces<VideoListBody>().ProducesProblem(StatusCodes.Status400BadRequest);
    }

    private static IResult Templates(CreativeService creative)
    {
        var library = creative.Templates;
        var templates = library is null ? [] : library.Templates.Values.OrderBy(t => t.Name, StringComparer.Ordinal).Select(t => new TemplateItem(
            t.Name, t.Description, [.. Languages(t)], t.Defaults.Width, t.Defaults.Height, t.Defaults.Frames, t.Defaults.Steps, t.Defaults.Style)).ToList();
        var problems = library is null ? [] : library.Problems.Values.Select(p => new LibraryProblem(p.Name, p.Message)).ToList();
        return TypedResults.Ok(new TemplateListBody(templates, problems));
    }

    private static IResult History(IJobStore store, JobEventHub events, int? limit)
    {
        int count = limit ?? 50;
        if (count is < 1 or > MaxHistory)
        {
            return Problems.Of(StatusCodes.Status400BadRequest, "invalid request", $"limit must be 1 to {MaxHistory}, got {count}");
        }
        return TypedResults.Ok(new VideoListBody([.. store.ListRecent(count).Select(j => VideoStatusBody.From(j, events.LatestProgress(j.Id)))]));
    }

    private static IEnumerable<string> Languages(PromptTemplate t)
    {
        if (t.English is not null)
        {
            yield return "en";
        }
        if (t.Chinese is not null)
        {
            yield return "zh";
        }
    }
}

/// <summary>The JSON of <c>GET /v1/templates</c>.</summary>
/// <param name="Templates">The usable templates, by name.</param>
/// <param name="Problems">Manifests that failed validation (a broken edit of a served template keeps its previous version).</param>
public sealed record TemplateListBody(IReadOnlyList<TemplateItem> Templates, IReadOnlyList<LibraryProblem> Problems);

/// <summary>One template as listed.</summary>
/// <param name="Name">What a request's <c>template</c> names.</param>
/// <param name="Description">One line.</param>
/// <param name="Languages">Its wordings: "en", "zh".</param>
/// <param name="Width">Pinned width in pixels, or null.</param>
/// <param name="Height">Pinned height in pixels, or null.</param>
/// <param name="Frames">Pinned frame count, or null.</param>
/// <param name="Steps">Pinned steps, or null.</param>
/// <param name="Style">Pinned style, or null.</param>
public sealed record TemplateItem(string Name, string Description, IReadOnlyList<string> Languages, int? Width, int? Height, int? Frames, int? Steps, string? Style);

/// <summary>A library manifest that failed validation.</summary>
/// <param name="Name">The manifest's name.</param>
/// <param name="Message">Why (one line).</param>
public sealed record LibraryProblem(string Name, string Message);

/// <summary>The JSON of <c>GET /v1/videos</c>: jobs newest first, each as <c>GET /v1/videos/{id}</c> returns it.</summary>
/// <param name="Videos">The jobs.</param>
public sealed record VideoListBody(IReadOnlyList<VideoStatusBody> Videos);
