using System.Globalization;
using Wan.Runtime.IO;

namespace Wan.Runtime.Video;

/// <summary>
/// MP4/H.264 (yuv420p, CRF 18) through the ffmpeg program (found on PATH at run time): each frame is piped to
/// ffmpeg as it arrives (<see cref="FfmpegPipe"/>), which writes a temporary file renamed into place when it exits
/// successfully. Holds nothing but the pipe.
/// </summary>
public sealed class Mp4Writer : VideoSink
{
    private readonly string _ffmpeg;
    private readonly string _temp;
    private FfmpegPipe? _pipe;

    /// <summary>A sink for <paramref name="path"/>.</summary>
    /// <param name="path">the .mp4 file to produce.</param>
    /// <exception cref="Wan.Errors.RequestException">ffmpeg is not installed.</exception>
    public Mp4Writer(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        _ffmpeg = FfmpegPipe.Find() ?? throw new Wan.Errors.RequestException("output", path,
            "writing MP4 needs the ffmpeg program, which is not on PATH (install the Debian package 'ffmpeg', or write .y4m, .gif or a .png frame directory instead)");
        _temp = AtomicOutput.TempPathFor(Path);
    }

    /// <summary>The file this sink produces.</summary>
    public string Path { get; }

    /// <inheritdoc/>
    /// <exception cref="IOException">ffmpeg could not be started.</exception>
    protected override void OnBegin(VideoFormat format)
    {
        string[] arguments =
        [
            "-hide_banner", "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24",
            "-s", $"{format.Width}x{format.Height}", "-r", format.Fps.ToString(CultureInfo.InvariantCulture),
            "-i", "-", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", "18", "-movflags", "+faststart", "-f", "mp4", _temp,
        ];
        _pipe = FfmpegPipe.Start(_ffmpeg, arguments, Path, stderr => AtomicOutput.NamingTarget(stderr.Trim(), _temp, Path));
    }

    /// <inheritdoc/>
    protected override void OnFrame(ReadOnlySpan<byte> rgb, int index, CancellationToken cancellation) => _pipe!.Write(rgb, cancellation);

    /// <inheritdoc/>
    protected override void OnComplete()
    {
        _pipe!.Finish();
        File.Move(_temp, Path, true);
    }

    /// <inheritdoc/>
    protected override void OnDispose(bool completed)
    {
        _pipe?.Dispose();
        if (File.Exists(_temp))
        {
            File.Delete(_temp);
        }
    }
}
