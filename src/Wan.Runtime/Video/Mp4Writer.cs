using Wan.Runtime.IO;

namespace Wan.Runtime.Video;

/// <summary>
/// MP4/H.264 through the ffmpeg program (found on PATH at run time): raw RGB frames are piped to
/// ffmpeg, which writes a temporary file renamed into place when it exits successfully.
/// </summary>
public static class Mp4Writer
{
    /// <summary>Encodes the frames to H.264 (yuv420p, CRF 18) in an MP4 at <paramref name="path"/>.</summary>
    /// <param name="video">the frames.</param>
    /// <param name="path">the .mp4 file to produce.</param>
    /// <param name="cancellation">checked between frames; ffmpeg is stopped and nothing is left behind when it fires.</param>
    /// <exception cref="Wan.Errors.RequestException">ffmpeg is not installed.</exception>
    /// <exception cref="IOException">ffmpeg failed (its message, naming <paramref name="path"/>).</exception>
    public static void Write(VideoFrames video, string path, CancellationToken cancellation = default)
    {
        var ffmpeg = FfmpegPipe.Find() ?? throw new Wan.Errors.RequestException("output", path,
            $"writing MP4 needs the ffmpeg program, which is not on PATH (install the Debian package 'ffmpeg', or write .y4m, .gif or a .png frame directory instead)");
        var temp = AtomicOutput.TempPathFor(path);
        string[] arguments =
        [
            "-hide_banner", "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24",
            "-s", $"{video.Width}x{video.Height}", "-r", video.Fps.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-i", "-", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", "18", "-movflags", "+faststart", "-f", "mp4", temp,
        ];
        try
        {
            using (var pipe = FfmpegPipe.Start(ffmpeg, arguments, path, stderr => AtomicOutput.NamingTarget(stderr.Trim(), temp, path)))
            {
                for (int f = 0; f < video.Frames; f++)
                {
                    pipe.Write(video.Frame(f), cancellation);
                }
                pipe.Finish();
            }
            File.Move(temp, path, true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }
}
