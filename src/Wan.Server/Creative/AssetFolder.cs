using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Wan.Server.Api;

namespace Wan.Server.Creative;

/// <summary>
/// The one folder a request's files (logo, subtitles, audio, label font) may come from
/// (<see cref="CreativeServerOptions.AssetsDirectory"/>). A request names a file relative to it; absolute paths,
/// <c>..</c> segments and links that lead outside are refused, so a client can never make the server read an
/// arbitrary path.
/// </summary>
public sealed class AssetFolder
{
    /// <summary>Opens the folder, or none when <paramref name="path"/> is null.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public AssetFolder(string? path)
    {
        if (path is null)
        {
            return;
        }
        var full = System.IO.Path.GetFullPath(path);
        Root = Directory.Exists(full) ? full : throw new DirectoryNotFoundException($"{full}: assets folder (Wan:Creative:AssetsDirectory) not found");
    }

    /// <summary>The folder (absolute), or null when none is configured.</summary>
    public string? Root { get; }

    /// <summary>The full path of the file a request names in <paramref name="field"/>, checked to lie inside the folder and exist.</summary>
    /// <param name="field">The request field, for the message (<c>post.logo.file</c>).</param>
    /// <param name="name">The name the client gave, relative to the folder.</param>
    /// <exception cref="RequestRejectedException">400: no folder configured, an absolute path, a <c>..</c> segment, a link leading outside, or no such file.</exception>
    public string Resolve(string field, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (Root is null)
        {
            throw Refused($"{field} '{name}': this server takes request files from its assets folder and none is configured (Wan:Creative:AssetsDirectory)");
        }
        var segments = name.Split('/', '\\');
        if (name.Length == 0 || System.IO.Path.IsPathRooted(name) || segments.Any(s => s == ".."))
        {
            throw Refused($"{field} '{name}': must be a file name inside the server's assets folder (no absolute path, no '..')");
        }
        var full = System.IO.Path.GetFullPath(System.IO.Path.Combine(Root, name));
        if (!Inside(full))
        {
            throw Refused($"{field} '{name}': must be a file name inside the server's assets folder");
        }
        if (!File.Exists(full))
        {
            throw Refused($"{field} '{name}': no such file in the server's assets folder");
        }
        // A link inside the folder must not lead out of it.
        if (new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true) is { } target && !Inside(target.FullName))
        {
            throw Refused($"{field} '{name}': is a link that leads outside the server's assets folder");
        }
        return full;
    }

    /// <summary>SHA-256 of a file's content (64 hex digits): the result cache must see a replaced logo or soundtrack.</summary>
    public static string Digest(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private bool Inside(string full) => full.StartsWith(Root + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private static RequestRejectedException Refused(string detail) => new(StatusCodes.Status400BadRequest, "invalid request file", detail);
}
