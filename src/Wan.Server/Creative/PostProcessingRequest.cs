using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Wan.Creative.PostProcessing;
using Wan.Errors;
using Wan.Server.Api;

namespace Wan.Server.Creative;

/// <summary>
/// A request's <c>post</c> and <c>label</c> fields, checked at submission exactly as <c>wan generate --post</c> checks
/// its file (<see cref="PostProcessManifest"/>), with every file it names resolved in the assets folder.
/// </summary>
internal static class PostProcessingRequest
{
    private static readonly (string Section, string Key)[] FileFields = [("logo", "file"), ("subtitles", "file"), ("audio", "file"), ("label", "font")];

    /// <summary>The <c>post</c> object with the <c>label</c> merged in (canonical JSON) and the digests of its files, or null when the request has neither.</summary>
    /// <exception cref="RequestRejectedException">400: not an object, a duplicate or unknown key, a bad value, the label given twice, a
    /// file outside the assets folder or missing, a format other than mp4.</exception>
    public static (JsonElement Object, IReadOnlyList<AssetDigest> Assets)? Check(VideoRequestBody body, AssetFolder assets)
    {
        if (body.Post is not { ValueKind: not JsonValueKind.Null } && body.Label is not { ValueKind: not JsonValueKind.Null })
        {
            return null;
        }
        var format = body.Format ?? "mp4";
        if (format != "mp4")
        {
            throw Invalid($"post-processing and the AI label need the mp4 format, not '{format}'");
        }
        var element = CanonicalJson.Normalise(JsonSerializer.SerializeToElement(Merged(body)));
        var digests = new List<AssetDigest>();
        foreach (var (section, key) in FileFields)
        {
            if (element.TryGetProperty(section, out var s) && s.ValueKind == JsonValueKind.Object
                && s.TryGetProperty(key, out var file) && file.ValueKind == JsonValueKind.String)
            {
                var field = $"post.{section}.{key}";
                digests.Add(new AssetDigest(field, file.GetString()!, AssetFolder.Digest(assets.Resolve(field, file.GetString()!))));
            }
        }
        try
        {
            PostProcessManifest.Parse(element, assets.Root ?? Directory.GetCurrentDirectory(), "post").Validate();
        }
        catch (Exception e) when (e is InvalidDataException or RequestException or FileNotFoundException)
        {
            throw Invalid(e.Message);
        }
        return (element, digests);
    }

    private static JsonObject Merged(VideoRequestBody body)
    {
        try
        {
            var merged = body.Post is { ValueKind: not JsonValueKind.Null } post
                ? JsonNode.Parse(post.GetRawText()) as JsonObject ?? throw Invalid("post must be a JSON object")
                : [];
            if (body.Label is { ValueKind: not JsonValueKind.Null } label)
            {
                if (merged.ContainsKey("label"))
                {
                    throw Invalid("give the AI label once: in 'label' or in 'post.label', not both");
                }
                merged["label"] = JsonNode.Parse(label.GetRawText());
            }
            // Reading every property now finds duplicate keys, which JsonObject reports lazily.
            _ = merged.Count;
            return merged;
        }
        catch (Exception e) when (e is ArgumentException or JsonException)
        {
            throw Invalid($"post: {e.Message}");
        }
    }

    private static RequestRejectedException Invalid(string detail) => new(StatusCodes.Status400BadRequest, "invalid request", detail);
}
