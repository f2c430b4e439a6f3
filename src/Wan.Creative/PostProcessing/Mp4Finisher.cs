using Wan.Creative.Labels;
using Wan.Runtime.IO;
using Wan.Runtime.Video;

namespace Wan.Creative.PostProcessing;

/// <summary>
/// Writes a generated video as a finished MP4 in one ffmpeg run (program found on PATH): post-processing
/// (<see cref="PostProcessOptions"/>) and the AI-content label (<see cref="AiLabelOptions"/>) in one filter graph and
/// one encode. The file is written under a temporary name and renamed into place when ffmpeg succeeds.
/// </summary>
public static class Mp4Finisher
{
    /// <summary>Finishes <paramref name="video"/> into <paramref name="path"/>.</summary>
    /// <exception cref="Wan.Errors.RequestException">An option is out of range.</exception>
    /// <exception cref="FileNotFoundException">ffmpeg, an input file or the label font is missing.</exception>
    /// <exception cref="IOException">ffmpeg failed (its message is included).</exception>
    /// <exception cref="OperationCanceledException">Cancelled; nothing is left behind.</exception>
    public static FinishedVideo Write(VideoFrames video, string path, FinishingOptions options, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(video);
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var ffmpeg = FfmpegPipe.Find() ?? throw new FileNotFoundException(
            $"{path}: writing MP4 needs the ffmpeg program, which is not on PATH (install the Debian package 'ffmpeg')");
        var needsFont = options.Label.Visible || options.Post.Subtitles is { Burn: true };
        var font = needsFont ? CjkFont.Resolve(options.Label.FontFile) : null;
        var contentId = options.Label.Metadata ? options.Label.ContentId ?? Guid.NewGuid().ToString("N") : null;
        var full = Path.GetFullPath(path);
        var temp = AtomicOutput.TempPathFor(full);
        var work = Directory.CreateTempSubdirectory("wan-finish-").FullName;
        try
        {
            if (font is not null)
            {
                Directory.CreateDirectory(Path.Combine(work, FfmpegFinishingCommand.FontFolderName));
                File.CreateSymbolicLink(Path.Combine(work, FfmpegFinishingCommand.FontFolderName, FfmpegFinishingCommand.FontLinkName(font)), font);
            }
            if (options.Label.Visible)
            {
                File.WriteAllText(Path.Combine(work, FfmpegFinishingCommand.LabelTextName), options.Label.Text);
            }
            if (options.Post.Subtitles is { Burn: true } subtitles)
            {
                File.Copy(subtitles.File, Path.Combine(work, FfmpegFinishingCommand.SubtitleName));
            }
            var command = FfmpegFinishingCommand.Build(video.Frames, video.Width, video.Height, video.Fps, options, font, contentId, temp);
            Run(ffmpeg, command, video, work, full, cancellation);
            File.Move(temp, full, true);
            return new FinishedVideo(full, contentId, command.Width, command.Height, command.Fps);
        }
        finally
        {
            File.Delete(temp);
            Directory.Delete(work, true);
        }
    }

    private static void Run(string ffmpeg, FfmpegFinishingCommand command, VideoFrames video, string work, string path, CancellationToken cancellation)
    {
        using var pipe = FfmpegPipe.Start(ffmpeg, command.Arguments, path, OneLine, work);
        for (int f = 0; f < video.Frames; f++)
        {
            pipe.Write(video.Frame(f), cancellation);
        }
        pipe.Finish();
    }

    private static string OneLine(string text) => string.Join(" | ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Take(4));
}
