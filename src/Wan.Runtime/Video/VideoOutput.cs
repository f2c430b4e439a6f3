using Wan.Errors;
using Wan.Runtime.IO;

namespace Wan.Runtime.Video;

/// <summary>
/// Writes a video in the format its path names: .mp4 (ffmpeg), .y4m, .gif, or .png (one frame: that
/// file; several: a folder of frames). <see cref="Check"/> finds, before any work, every problem that
/// needs only the path (format, encoder, folder, permissions); <see cref="Write"/> returns what it wrote.
/// </summary>
public static class VideoOutput
{
    /// <summary>The extensions a video path may have, lower-case with the dot.</summary>
    public static readonly string[] Extensions = [".mp4", ".y4m", ".gif", ".png"];

    /// <summary>
    /// Checks that a video of <paramref name="frames"/> frames can be written at <paramref name="path"/>
    /// and returns the path that <see cref="Write"/> will produce: the file itself, or for several
    /// .png frames the folder named after the path without the extension. Checks: the format is known,
    /// its encoder (ffmpeg for .mp4) is installed, the path is not a folder (or, for a frame folder,
    /// not a file nor a folder holding other files), the parent folder exists and this process may
    /// create files in it.
    /// </summary>
    /// <param name="path">the requested output path.</param>
    /// <param name="frames">frames the video will have (decides the .png layout).</param>
    /// <exception cref="RequestException">the output cannot be written there (setting <c>output</c>).</exception>
    public static string Check(string path, int frames)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            Fail(path, "is empty: give a file name such as clip.mp4");
        }
        var full = Path.GetFullPath(path);
        var extension = Path.GetExtension(full).ToLowerInvariant();
        if (!Extensions.Contains(extension))
        {
            Fail(path, $"unknown video format '{Path.GetExtension(full)}' (use {string.Join(", ", Extensions)})");
        }
        if (extension == ".mp4" && FfmpegPipe.Find() is null)
        {
            Fail(path, "writing MP4 needs the ffmpeg program, which is not on PATH (install the Debian package 'ffmpeg', or write .y4m, .gif or .png instead)");
        }
        var target = Target(path, frames);
        if (target == full && Directory.Exists(full))
        {
            Fail(path, "is a folder; give a file name such as clip" + extension);
        }
        if (target != full && File.Exists(target))
        {
            Fail(path, $"{frames} frames go to the folder {target}, but a file has that name");
        }
        if (target != full && Directory.Exists(target) && !PngSequenceWriter.HoldsOnlyFrames(target, Path.GetFileName(target)))
        {
            Fail(path, $"the frame folder {target} exists and holds other files; choose another name");
        }
        var parent = Path.GetDirectoryName(target)!;
        if (!Directory.Exists(parent))
        {
            Fail(path, File.Exists(parent) ? $"{parent} is a file, not a folder" : $"the folder {parent} does not exist");
        }
        ProbeWritable(path, parent);
        return target;
    }

    /// <summary>
    /// Opens the sink that writes a video of <paramref name="frames"/> frames at <paramref name="path"/> in the format
    /// its extension names. A .png path with one frame is that PNG file; with several, frames go to name_0000.png,
    /// name_0001.png, ... in a folder named after the path without the extension (an earlier run's frame folder is
    /// replaced, a folder holding anything else never is). Everything is written under a temporary name and renamed
    /// when the sink completes; disposing it unfinished leaves nothing behind.
    /// </summary>
    /// <param name="path">the output path; its extension selects the format.</param>
    /// <param name="frames">frames the video will have (decides the .png layout).</param>
    /// <returns>a sink that has not begun; <see cref="Check"/> returns the path it will produce.</returns>
    /// <exception cref="RequestException">the path is empty, its format unknown, or (.mp4) ffmpeg is not installed.</exception>
    public static IVideoSink Open(string path, int frames)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            Fail(path, "is empty: give a file name such as clip.mp4");
        }
        var full = Path.GetFullPath(path);
        switch (Path.GetExtension(full).ToLowerInvariant())
        {
            case ".mp4":
                return new Mp4Writer(full);
            case ".y4m":
                return new Y4mWriter(full);
            case ".gif":
                return new GifWriter(full);
            case ".png" when !IsFrameFolder(full, frames):
                return new PngFileWriter(full);
            case ".png":
                return new PngSequenceWriter(full);
            default:
                throw new RequestException("output", path, $"unknown video format '{Path.GetExtension(path)}' (use {string.Join(", ", Extensions)})");
        }
    }

    /// <summary>Writes <paramref name="video"/> through the sink of <see cref="Open"/> and returns the path written.</summary>
    /// <param name="video">the frames.</param>
    /// <param name="path">the output path; its extension selects the format.</param>
    /// <param name="cancellation">checked between frames; nothing is left behind when it fires.</param>
    /// <returns>the file or folder written.</returns>
    /// <exception cref="RequestException">the path is empty or its format unknown.</exception>
    /// <exception cref="IOException">writing failed (disk full, ffmpeg failed, the frame folder holds other files).</exception>
    public static string Write(VideoFrames video, string path, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(video);
        using var sink = Open(path, video.Frames);
        video.WriteTo(sink, cancellation);
        return Target(path, video.Frames);
    }

    /// <summary>The file or folder a video of <paramref name="frames"/> frames written at <paramref name="path"/> becomes (see <see cref="Open"/>).</summary>
    /// <param name="path">the requested output path.</param>
    /// <param name="frames">frames of the video.</param>
    public static string Target(string path, int frames)
    {
        var full = Path.GetFullPath(path);
        return IsFrameFolder(full, frames) ? Path.ChangeExtension(full, null) : full;
    }

    private static bool IsFrameFolder(string fullPath, int frames) =>
        frames > 1 && Path.GetExtension(fullPath).Equals(".png", StringComparison.OrdinalIgnoreCase);

    /// <summary>Creates and removes an empty file beside the target: permissions, read-only mounts and full quotas show up now, not after the generation.</summary>
    private static void ProbeWritable(string path, string parent)
    {
        var probe = AtomicOutput.TempPathFor(Path.Combine(parent, "write-check"));
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Fail(path, $"cannot create files in {parent} ({(e is UnauthorizedAccessException ? "permission denied" : e.Message.Replace(probe, parent, StringComparison.Ordinal))})");
        }
    }

    private static void Fail(string path, string problem) => throw new RequestException("output", path, problem);
}
