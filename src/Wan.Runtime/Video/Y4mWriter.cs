namespace Wan.Runtime.Video;

/// <summary>
/// YUV4MPEG2 (.y4m), readable by ffmpeg and most players with nothing installed here: 4:4:4
/// planes, BT.601 limited range, progressive, square pixels.
/// </summary>
public static class Y4mWriter
{
    /// <summary>Writes the header and every frame as YUV 4:4:4 planes.</summary>
    /// <param name="video">the frames.</param>
    /// <param name="output">the stream the Y4M is written to.</param>
    public static void Write(VideoFrames video, Stream output)
    {
        var header = System.Text.Encoding.ASCII.GetBytes($"YUV4MPEG2 W{video.Width} H{video.Height} F{video.Fps}:1 Ip A1:1 C444\n");
        output.Write(header);
        int n = video.Width * video.Height;
        var planes = new byte[3 * n];
        var frameTag = "FRAME\n"u8.ToArray();
        for (int f = 0; f < video.Frames; f++)
        {
            var rgb = video.Frame(f);
            for (int i = 0; i < n; i++)
            {
                double r = rgb[3 * i] / 255.0, g = rgb[3 * i + 1] / 255.0, b = rgb[3 * i + 2] / 255.0;
                planes[i] = ToByte(16 + 65.481 * r + 128.553 * g + 24.966 * b);
                planes[n + i] = ToByte(128 - 37.797 * r - 74.203 * g + 112.0 * b);
                planes[2 * n + i] = ToByte(128 + 112.0 * r - 93.786 * g - 18.214 * b);
            }
            output.Write(frameTag);
            output.Write(planes);
        }
    }

    private static byte ToByte(double v) => (byte)Math.Clamp(Math.Round(v), 0, 255);
}
