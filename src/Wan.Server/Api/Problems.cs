using Microsoft.AspNetCore.Http;

namespace Wan.Server.Api;

/// <summary>RFC 7807 problem-details responses (<c>application/problem+json</c>) with the status's type URI.</summary>
public static class Problems
{
    /// <summary>A problem response.</summary>
    public static IResult Of(int status, string title, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title, type: $"https://www.rfc-editor.org/rfc/rfc9110#status.{status}");

    /// <summary>404: no job with this id.</summary>
    public static IResult NotFound(string id) => Of(StatusCodes.Status404NotFound, "no such video", $"no video job has the id '{id}'");

    /// <summary>409: the job is in a state that does not allow the operation.</summary>
    public static IResult Conflict(string detail) => Of(StatusCodes.Status409Conflict, "conflict with the job's state", detail);
}
