using Wan.Runtime.IO;

namespace Wan.Runtime.Video;

/// <summary>Writes a video in the format its path names: .mp4 (ffmpeg), .y4m, .gif, or a directory of PNG frames.</summary>
public static class VideoOutput
{
    public static readonly string[] Extensions = [".mp4", ".y4m", ".gif", ".png"];

    /// <summary>
    /// Writes <paramref name="video"/>. A path ending in .png is a pattern: frames go to
    /// name_0000.png, name_0001.png, ... in a directory named after the path without the extension.
    /// </summary>
    public static void Write(VideoFrames video, string path, CancellationToken cancellation = default)
    {
        switch (Path.GetExtension(path).ToLowerInvariant())
        {
            case ".mp4":
                Mp4Writer.Write(video, path, cancellation);
                break;
            case ".y4m":
                AtomicOutput.WriteFile(path, s => Y4mWriter.Write(video, s), cancellation);
                break;
            case ".gif":
                AtomicOutput.WriteFile(path, s => GifWriter.Write(video, s), cancellation);
                break;
            case ".png":
                WritePngDirectory(video, path, cancellation);
                break;
            default:
                throw new ArgumentException($"{path}: unknown video format '{Path.GetExtension(path)}' (use {string.Join(", ", Extensions)})");
        }
    }

    private static void WritePngDirectory(VideoFrames video, string path, CancellationToken cancellation)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.ChangeExtension(full, null);
        var stem = Path.GetFileName(dir);
        if (Directory.Exists(dir) && !HoldsOnlyFrames(dir, stem))
        {
            throw new IOException($"{path}: the frame directory {dir} exists and holds other files; choose another name");
        }
        var temp = AtomicOutput.TempPathFor(dir);
        Directory.CreateDirectory(temp);
        try
        {
            for (int f = 0; f < video.Frames; f++)
            {
                cancellation.ThrowIfCancellationRequested();
                using var file = File.Create(Path.Combine(temp, $"{stem}_{f:D4}.png"));
                PngWriter.WriteFrame(video.Frame(f), video.Width, video.Height, file);
            }
            if (Directory.Exists(dir))
            {
                RemovePreviousFrames(dir, stem);
            }
            Directory.Move(temp, dir);
        }
        finally
        {
            if (Directory.Exists(temp))
            {
                Directory.Delete(temp, true);
            }
        }
    }

    /// <summary>True when every entry is a frame of an earlier run (stem_NNNN.png): only then may it be replaced.</summary>
    private static bool HoldsOnlyFrames(string dir, string stem) =>
        Directory.EnumerateFileSystemEntries(dir).All(e => File.Exists(e) && IsFrameName(Path.GetFileName(e), stem));

    private static bool IsFrameName(string name, string stem) =>
        name.Length == stem.Length + 9 && name.StartsWith(stem + "_", StringComparison.Ordinal)
        && name.EndsWith(".png", StringComparison.Ordinal) && name.AsSpan(stem.Length + 1, 4).ToString().All(char.IsAsciiDigit);

    private static void RemovePreviousFrames(string dir, string stem)
    {
        if (!HoldsOnlyFrames(dir, stem))
        {
            throw new IOException($"{dir}: the frame directory gained other files while writing; it was left as it is");
        }
        Directory.Delete(dir, true);
    }
}
