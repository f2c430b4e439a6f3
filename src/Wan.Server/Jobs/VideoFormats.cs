namespace Wan.Server.Jobs;

/// <summary>The containers the server stores and serves (single files only: the PNG frame directory of the CLI is not offered).</summary>
public static class VideoFormats
{
    /// <summary>Format names a request may give, the first being the default.</summary>
    public static readonly IReadOnlyList<string> Names = ["mp4", "y4m", "gif"];

    /// <summary>The HTTP content type of a stored video of <paramref name="format"/>.</summary>
    /// <exception cref="ArgumentException">the format is not one of <see cref="Names"/>.</exception>
    public static string ContentType(string format) => format switch
    {
        "mp4" => "video/mp4",
        "y4m" => "video/x-yuv4mpeg",
        "gif" => "image/gif",
        _ => throw new ArgumentException($"video format '{format}' is unknown; expected one of {string.Join(", ", Names)}", nameof(format)),
    };
}
