using Wan.Creative.Labels;
using Wan.Runtime.IO;
using Wan.Runtime.Video;

namespace Wan.Creative.PostProcessing;

/// <summary>
/// Writes a generated video as a finished MP4 in one ffmpeg run (program found on PATH): post-processing
/// (<see cref="PostProcessOptions"/>) and the AI-content label (<see cref="AiLabelOptions"/>) in one filter graph and
/// one encode. A sink: frames are piped to ffmpeg as they arrive (<see cref="FfmpegPipe"/>). The file is written under a
/// temporary name and renamed into place when ffmpeg succeeds; disposing the sink unfinished leaves nothing behind.
/// </summary>
public sealed class Mp4Finisher : VideoSink
{
    private readonly FinishingOptions _options;
    private readonly string _ffmpeg;
    private readonly string? _font;
    private readonly string? _contentId;
    private readonly string _temp;
    private string? _work;
    private FfmpegFinishingCommand? _command;
    private FfmpegPipe? _pipe;
    private FinishedVideo? _finished;

    /// <summary>A sink that finishes a video into <paramref name="path"/>.</summary>
    /// <exception cref="Wan.Errors.RequestException">An option is out of range.</exception>
    /// <exception cref="FileNotFoundException">ffmpeg or the label font is missing.</exception>
    public Mp4Finisher(string path, FinishingOptions options)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _ffmpeg = FfmpegPipe.Find() ?? throw new FileNotFoundException(
            $"{path}: writing MP4 needs the ffmpeg program, which is not on PATH (install the Debian package 'ffmpeg')");
        var needsFont = options.Label.Visible || options.Post.Subtitles is { Burn: true };
        _font = needsFont ? CjkFont.Resolve(options.Label.FontFile) : null;
        _contentId = options.Label.Metadata ? options.Label.ContentId ?? Guid.NewGuid().ToString("N") : null;
        Path = System.IO.Path.GetFullPath(path);
        _temp = AtomicOutput.TempPathFor(Path);
    }

    /// <summary>The MP4 file this sink produces.</summary>
    public string Path { get; }

    /// <summary>What was written, once <see cref="VideoSink.Complete"/> has run.</summary>
    /// <exception cref="InvalidOperationException">the sink is not complete.</exception>
    public FinishedVideo Finished => _finished ?? throw new InvalidOperationException($"{Path}: the video is not finished");

    /// <summary>Finishes <paramref name="video"/> into <paramref name="path"/>.</summary>
    /// <exception cref="Wan.Errors.RequestException">An option is out of range.</exception>
    /// <exception cref="FileNotFoundException">ffmpeg, an input file or the label font is missing.</exception>
    /// <exception cref="IOException">ffmpeg failed (its message is included).</exception>
    /// <exception cref="OperationCanceledException">Cancelled; nothing is left behind.</exception>
    public static FinishedVideo Write(VideoFrames video, string path, FinishingOptions options, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(video);
        using var sink = new Mp4Finisher(path, options);
        video.WriteTo(sink, cancellation);
        return sink.Finished;
    }

    /// <inheritdoc/>
    /// <exception cref="FileNotFoundException">An input file (subtitles) is missing.</exception>
    /// <exception cref="IOException">ffmpeg could not be started.</exception>
    protected override void OnBegin(VideoFormat format)
    {
        _work = Directory.CreateTempSubdirectory("wan-finish-").FullName;
        if (_font is not null)
        {
            Directory.CreateDirectory(System.IO.Path.Combine(_work, FfmpegFinishingCommand.FontFolderName));
            File.CreateSymbolicLink(System.IO.Path.Combine(_work, FfmpegFinishingCommand.FontFolderName, FfmpegFinishingCommand.FontLinkName(_font)), _font);
        }
        if (_options.Label.Visible)
        {
            File.WriteAllText(System.IO.Path.Combine(_work, FfmpegFinishingCommand.LabelTextName), _options.Label.Text);
        }
        if (_options.Post.Subtitles is { Burn: true } subtitles)
        {
            File.Copy(subtitles.File, System.IO.Path.Combine(_work, FfmpegFinishingCommand.SubtitleName));
        }
        _command = FfmpegFinishingCommand.Build(format.Frames, format.Width, format.Height, format.Fps, _options, _font, _contentId, _temp);
        _pipe = FfmpegPipe.Start(_ffmpeg, _command.Arguments, Path, OneLine, _work);
    }

    /// <inheritdoc/>
    protected override void OnFrame(ReadOnlySpan<byte> rgb, int index, CancellationToken cancellation) => _pipe!.Write(rgb, cancellation);

    /// <inheritdoc/>
    protected override void OnComplete()
    {
        _pipe!.Finish();
        File.Move(_temp, Path, true);
        _finished = new FinishedVideo(Path, _contentId, _command!.Width, _command.Height, _command.Fps);
    }

    /// <inheritdoc/>
    protected override void OnDispose(bool completed)
    {
        _pipe?.Dispose();
        File.Delete(_temp);
        if (_work is not null)
        {
            Directory.Delete(_work, true);
        }
    }

    private static string OneLine(string text) => string.Join(" | ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Take(4));
}
