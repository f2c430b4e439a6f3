using System.Text.Json;

namespace Wan.Creative.Labels;

/// <summary>
/// The implicit label: MP4 metadata tags written by ffmpeg (<c>-movflags use_metadata_tags</c>) and read back by
/// <c>ffprobe -show_entries format_tags</c>. Keys: <c>ai_generated</c> ("true"), <c>producer</c>, <c>content_id</c>,
/// <c>comment</c> (a human-readable sentence) and <c>AIGC</c>, a JSON object with the field names of the Chinese
/// national standard GB 45438-2025 for implicit labels in file metadata (Label "1" = AI-generated, ContentProducer,
/// ProduceID).
/// </summary>
public static class AiContentMetadata
{
    /// <summary>The tags for a video with content id <paramref name="contentId"/>.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Tags(AiLabelOptions options, string contentId)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(contentId);
        var aigc = JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["Label"] = "1",
            ["ContentProducer"] = options.Producer,
            ["ProduceID"] = contentId,
        });
        return
        [
            new("ai_generated", "true"),
            new("producer", options.Producer),
            new("content_id", contentId),
            new("comment", $"AI-generated video ({options.Producer}), content id {contentId}"),
            new("AIGC", aigc),
        ];
    }
}
