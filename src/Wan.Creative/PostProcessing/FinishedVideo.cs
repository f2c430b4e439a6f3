namespace Wan.Creative.PostProcessing;

/// <summary>What <see cref="Mp4Finisher"/> wrote.</summary>
/// <param name="Path">The MP4 file.</param>
/// <param name="ContentId">The content id in its AI label metadata, or null when the metadata label was off.</param>
/// <param name="Width">Output width in pixels.</param>
/// <param name="Height">Output height in pixels.</param>
/// <param name="Fps">Output frames per second.</param>
public sealed record FinishedVideo(string Path, string? ContentId, int Width, int Height, int Fps);
