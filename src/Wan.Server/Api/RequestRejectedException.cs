namespace Wan.Server.Api;

/// <summary>A request the server refuses: becomes an RFC 7807 problem with <see cref="Status"/> and the message as its detail.</summary>
public sealed class RequestRejectedException(int status, string title, string detail) : Exception(detail)
{
    /// <summary>HTTP status (400, 413, ...).</summary>
    public int Status { get; } = status;

    /// <summary>The problem's short title ("invalid request", "video too large").</summary>
    public string Title { get; } = title;
}
