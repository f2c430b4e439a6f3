namespace Wan.Runtime.Video;

/// <summary>
/// YUV4MPEG2 (.y4m), readable by ffmpeg and most players with nothing installed here: 4:4:4
/// planes, BT.601 limited range, progressive, square pixels. Streams: holds one frame's planes.
/// </summary>
/// <param name="path">the .y4m file to produce.</param>
public sealed class Y4mWriter(string path) : FileVideoSink(path)
{
    private static readonly byte[] FrameTag = "FRAME\n"u8.ToArray();
    private byte[] _planes = [];

    /// <inheritdoc/>
    protected override void WriteHeader(Stream output, VideoFormat format)
    {
        output.Write(System.Text.Encoding.ASCII.GetBytes($"YUV4MPEG2 W{format.Width} H{format.Height} F{format.Fps}:1 Ip A1:1 C444\n"));
        _planes = new byte[format.FrameBytes];
    }

    /// <inheritdoc/>
    protected override void WriteFrame(Stream output, ReadOnlySpan<byte> rgb, int index)
    {
        int n = _planes.Length / 3;
        for (int i = 0; i < n; i++)
        {
            double r = rgb[3 * i] / 255.0, g = rgb[3 * i + 1] / 255.0, b = rgb[3 * i + 2] / 255.0;
            _planes[i] = ToByte(16 + 65.481 * r + 128.553 * g + 24.966 * b);
            _planes[n + i] = ToByte(128 - 37.797 * r - 74.203 * g + 112.0 * b);
            _planes[2 * n + i] = ToByte(128 + 112.0 * r - 93.786 * g - 18.214 * b);
        }
        output.Write(FrameTag);
        output.Write(_planes);
    }

    /// <inheritdoc/>
    protected override void WriteTrailer(Stream output)
    {
    }

    private static byte ToByte(double v) => (byte)Math.Clamp(Math.Round(v), 0, 255);
}
