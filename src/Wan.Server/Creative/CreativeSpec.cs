using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Wan.Server.Creative;

/// <summary>
/// The creative part of a normalised request (<see cref="Jobs.VideoSpec.Creative"/>): the template that expanded the
/// prompt (its effect is already in the prompt and settings), the post-processing object with the AI label merged in
/// (canonical JSON: keys sorted, file names relative to the assets folder) and the digest of every file it names.
/// Stored with the job, so whoever runs it finishes the video the same way; <see cref="Fingerprint"/> goes into the
/// result cache key.
/// </summary>
public sealed record CreativeSpec
{
    /// <summary>The template's name, or null.</summary>
    public string? Template { get; init; }

    /// <summary>The <c>--post</c> object (see <see cref="Wan.Creative.PostProcessing.PostProcessManifest"/>) with the request's label as its <c>label</c>, or null for none.</summary>
    public JsonElement? Post { get; init; }

    /// <summary>The files the post-processing names, with their content digests.</summary>
    public IReadOnlyList<AssetDigest> Assets { get; init; } = [];

    /// <summary>Whether two specs (either may be null) make the same video the same way: same template and fingerprint.</summary>
    public static bool Same(CreativeSpec? a, CreativeSpec? b) =>
        a?.Template == b?.Template && (a?.Fingerprint() ?? "") == (b?.Fingerprint() ?? "");

    /// <summary>
    /// What the result cache must add to the prompt and settings: SHA-256 (64 hex digits) of the canonical
    /// post-processing object and the asset digests, or "" when there is no post-processing. The template is left out:
    /// its whole effect is already in the prompt and settings, so the expanded request sent again is the same video.
    /// </summary>
    public string Fingerprint()
    {
        if (Post is not { } post)
        {
            return "";
        }
        var text = new StringBuilder();
        text.Append("post=").Append(CanonicalJson.Write(post)).Append('\n');
        foreach (var asset in Assets)
        {
            text.Append("asset=").Append(asset.Field).Append(':').Append(asset.File).Append(':').Append(asset.Sha256).Append('\n');
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}

/// <summary>A file a request's post-processing names.</summary>
/// <param name="Field">The request field (<c>post.logo.file</c>).</param>
/// <param name="File">The name relative to the assets folder, as the client gave it.</param>
/// <param name="Sha256">SHA-256 of its content when the request was accepted.</param>
public sealed record AssetDigest(string Field, string File, string Sha256);
