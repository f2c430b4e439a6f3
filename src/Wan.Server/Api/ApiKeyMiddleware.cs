using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Wan.Server.Api;

/// <summary>
/// Access control in front of every endpoint but <c>/healthz</c>. With API keys configured, a request
/// must carry one (<c>Authorization: Bearer KEY</c> or <c>X-Api-Key: KEY</c>; compared in constant time),
/// else 401. With none configured the server is for this machine only: a request from another address
/// gets 403.
/// </summary>
public sealed class ApiKeyMiddleware(RequestDelegate next, ServerOptions options)
{
    private readonly byte[][] _keys = [.. options.ApiKeys.Select(k => SHA256.HashData(Encoding.UTF8.GetBytes(k)))];

    /// <summary>Passes the request on, or answers 401/403 with a problem.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Request.Path.StartsWithSegments("/healthz") || Allowed(context, out var problem))
        {
            await next(context).ConfigureAwait(false);
            return;
        }
        if (problem.Status == StatusCodes.Status401Unauthorized)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
        }
        await Problems.Of(problem.Status, problem.Title, problem.Detail).ExecuteAsync(context).ConfigureAwait(false);
    }

    private bool Allowed(HttpContext context, out (int Status, string Title, string Detail) problem)
    {
        problem = default;
        if (_keys.Length == 0)
        {
            var remote = context.Connection.RemoteIpAddress;
            // TestServer and in-process callers have no remote address: they are this machine.
            if (remote is null || IPAddress.IsLoopback(remote))
            {
                return true;
            }
            problem = (StatusCodes.Status403Forbidden, "loopback only", $"no API key is configured, so only this machine may call the server; {remote} may not");
            return false;
        }
        var key = Presented(context.Request);
        if (key is null)
        {
            problem = (StatusCodes.Status401Unauthorized, "API key required", "send an API key as 'Authorization: Bearer KEY' or 'X-Api-Key: KEY'");
            return false;
        }
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        bool match = false;
        foreach (var known in _keys)
        {
            match |= CryptographicOperations.FixedTimeEquals(hash, known);
        }
        if (!match)
        {
            problem = (StatusCodes.Status401Unauthorized, "API key rejected", "the API key is not one this server accepts");
        }
        return match;
    }

    private static string? Presented(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization["Bearer ".Length..].Trim();
        }
        var header = request.Headers["X-Api-Key"].ToString();
        return header.Length > 0 ? header : null;
    }
}
