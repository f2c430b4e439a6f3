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
        var target = IsFrameFolder(full, frames) ? Path.ChangeExtension(full, null) : full;
        if (target == full && Directory.Exists(full))
        {
            Fail(path, "is a folder; give a file name such as clip" + extension);
        }
        if (target != full && File.Exists(target))
        {
            Fail(path, $"{frames} frames go to the folder {target}, but a file has that name");
        }
        if (target != full && Directory.Exists(target) && !HoldsOnlyFrames(target, Path.GetFileName(target)))
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
    /// Writes <paramref name="video"/> and returns the path written. A .png path with one frame is that
    /// PNG file; with several, frames go to name_0000.png, name_0001.png, ... in a folder named after
    /// the path without the extension (an earlier run's frame folder is replaced, a folder holding
    /// anything else never is). Everything is written under a temporary name and renamed when complete.
    /// </summary>
    /// <param name="video">the frames.</param>
    /// <param name="path">the output path; its extension selects the format.</param>
    /// <param name="cancellation">checked between frames; nothing is left behind when it fires.</param>
    /// <returns>the file or folder written.</returns>
    /// <exception cref="RequestException">the path is empty or its format unknown.</exception>
    /// <exception cref="IOException">writing failed (disk full, ffmpeg failed, the frame folder holds other files).</exception>
    public static string Write(VideoFrames video, string path, CancellationToken cancellation = default)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            Fail(path, "is empty: give a file name such as clip.mp4");
        }
        var full = Path.GetFullPath(path);
        switch (Path.GetExtension(full).ToLowerInvariant())
        {
            case ".mp4":
                Mp4Writer.Write(video, full, cancellation);
                return full;
            case ".y4m":
                AtomicOutput.WriteFile(full, s => Y4mWriter.Write(video, s), cancellation);
                return full;
            case ".gif":
                AtomicOutput.WriteFile(full, s => GifWriter.Write(video, s), cancellation);
                return full;
            case ".png" when !IsFrameFolder(full, video.Frames):
                AtomicOutput.WriteFile(full, s => PngWriter.WriteFrame(video.Frame(0), video.Width, video.Height, s), cancellation);
                return full;
            case ".png":
                return WritePngDirectory(video, full, cancellation);
            default:
                Fail(path, $"unknown video format '{Path.GetExtension(path)}' (use {string.Join(", ", Extensions)})");
                return full;
        }
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

    private static string WritePngDirectory(VideoFrames video, string full, CancellationToken cancellation)
    {
        var dir = Path.ChangeExtension(full, null);
        var stem = Path.GetFileName(dir);
        if (Directory.Exists(dir) && !HoldsOnlyFrames(dir, stem))
        {
            throw new IOException($"{full}: the frame directory {dir} exists and holds other files; choose another name");
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
            return dir;
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
