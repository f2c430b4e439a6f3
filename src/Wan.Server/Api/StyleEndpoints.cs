using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Wan.Server.Styles;

namespace Wan.Server.Api;

/// <summary><c>GET /v1/styles</c>: the styles a request's <c>style</c> may name.</summary>
public static class StyleEndpoints
{
    /// <summary>Maps the endpoint on <paramref name="app"/>.</summary>
    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/v1/styles", (ServerStyles styles) => TypedResults.Ok(new StyleListBody(
                [.. styles.All.Values.OrderBy(s => s.Name, StringComparer.Ordinal).Select(s => new StyleBody(s.Name, s.Description, styles.VersionOf(s)))])))
            .WithName("ListStyles").WithTags("styles").Produces<StyleListBody>();
}

/// <summary>The JSON of <c>GET /v1/styles</c>.</summary>
/// <param name="Styles">every valid style, by name (empty without a styles folder).</param>
public sealed record StyleListBody(IReadOnlyList<StyleBody> Styles);

/// <summary>One style of <c>GET /v1/styles</c>.</summary>
/// <param name="Name">what a request's <c>style</c> says.</param>
/// <param name="Description">one line.</param>
/// <param name="Version">changes whenever its manifest or a LoRA file it names changes (<see cref="ServerStyles.VersionOf"/>).</param>
public sealed record StyleBody(string Name, string Description, string Version);
