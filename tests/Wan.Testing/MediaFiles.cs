using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Wan.Runtime.Video;

namespace Wan.Testing;

/// <summary>Test media written by the tests (logo PNG, WAV tone, SRT) and ffprobe/ffmpeg read-backs.</summary>
public static class MediaFiles
{
    /// <summary>A solid-colour RGB PNG.</summary>
    public static void WritePng(string path, int width, int height, byte r, byte g, byte b)
    {
        var frame = TestVideos.Solid(1, height, width, r, g, b);
        using var file = File.Create(path);
        PngWriter.WriteFrame(frame.Frame(0), width, height, file);
    }

    /// <summary>A 16-bit mono 44.1 kHz WAV of a 440 Hz tone lasting <paramref name="seconds"/>.</summary>
    public static void WriteTone(string path, double seconds)
    {
        const int rate = 44100;
        int samples = (int)(rate * seconds);
        using var w = new BinaryWriter(File.Create(path));
        w.Write("RIFF"u8);
        w.Write(36 + samples * 2);
        w.Write("WAVEfmt "u8);
        w.Write(16);
        w.Write((short)1);
        w.Write((short)1);
        w.Write(rate);
        w.Write(rate * 2);
        w.Write((short)2);
        w.Write((short)16);
        w.Write("data"u8);
        w.Write(samples * 2);
        for (int i = 0; i < samples; i++)
        {
            w.Write((short)(8000 * Math.Sin(2 * Math.PI * 440 * i / rate)));
        }
    }

    /// <summary>An SRT file with one cue covering [0, <paramref name="seconds"/>).</summary>
    public static void WriteSrt(string path, string text, double seconds) =>
        File.WriteAllText(path, $"1\n00:00:00,000 --> 00:00:{seconds:00.000}\n{text}\n".Replace('.', ','), new UTF8Encoding(false));

    /// <summary>ffprobe's streams and format (with tags) as JSON.</summary>
    public static JsonDocument Probe(string path) =>
        JsonDocument.Parse(Run("ffprobe", ["-v", "error", "-count_frames", "-show_entries",
            "stream=index,codec_type,codec_name,width,height,r_frame_rate,nb_read_frames,duration:stream_tags=language:format_tags", "-of", "json", path]));

    /// <summary>Frame <paramref name="index"/> of a video decoded to RGB24.</summary>
    public static byte[] DecodeFrame(string path, int index)
    {
        var psi = new ProcessStartInfo("ffmpeg", ["-v", "error", "-i", path, "-vf", $"select=eq(n\\,{index})", "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
        { RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        using var bytes = new MemoryStream();
        p.StandardOutput.BaseStream.CopyTo(bytes);
        p.WaitForExit();
        return bytes.ToArray();
    }

    private static string Run(string program, string[] args)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardOutput = true })!;
            var text = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return text;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new AssertionException($"{program} (Debian package 'ffmpeg', installed by scripts/install-deps.sh) is missing: the output cannot be read back");
        }
    }
}
