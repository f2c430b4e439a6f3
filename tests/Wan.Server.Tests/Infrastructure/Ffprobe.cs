using System.Diagnostics;

namespace Wan.Server.Tests.Infrastructure;

/// <summary>Reads a video's size and decoded frame count with ffprobe.</summary>
internal static class Ffprobe
{
    /// <summary>"width,height,frames" of the first video stream.</summary>
    public static string Probe(string path)
    {
        var psi = new ProcessStartInfo("ffprobe", ["-v", "error", "-count_frames", "-select_streams", "v:0",
            "-show_entries", "stream=width,height,nb_read_frames", "-of", "csv=p=0", path]) { RedirectStandardOutput = true };
        try
        {
            using var p = Process.Start(psi)!;
            var text = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            return text;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new AssertionException("ffprobe (Debian package 'ffmpeg', installed by scripts/install-deps.sh) is missing: the output cannot be read back");
        }
    }
}
