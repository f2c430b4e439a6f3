namespace Wan.Runtime.Video;

/// <summary>
/// Decoded video as 8-bit RGB: frame-major [T, H, W, 3]. Built from the VAE output [3, T, H, W]
/// in [-1, 1] by clamping (as the official wrapper does) and mapping to 0..255 with rounding.
/// </summary>
public sealed class VideoFrames
{
    /// <summary>Wraps frame-major RGB bytes [T, H, W, 3].</summary>
    /// <param name="frames">T, at least 1.</param>
    /// <param name="height">H in pixels, at least 1.</param>
    /// <param name="width">W in pixels, at least 1.</param>
    /// <param name="rgb">T × H × W × 3 bytes.</param>
    /// <param name="fps">frames per second, at least 1.</param>
    /// <exception cref="ArgumentException">the sizes do not match the bytes.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fps"/> is not positive.</exception>
    public VideoFrames(int frames, int height, int width, byte[] rgb, int fps = 16)
    {
        if (frames <= 0 || height <= 0 || width <= 0 || rgb.Length != (long)frames * height * width * 3)
        {
            throw new ArgumentException($"{rgb.Length} bytes do not hold {frames} RGB frames of {width}x{height}");
        }
        if (fps <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(fps), fps, "frames per second must be positive");
        }
        Frames = frames;
        Height = height;
        Width = width;
        Rgb = rgb;
        Fps = fps;
    }

    /// <summary>Number of frames T.</summary>
    public int Frames { get; }

    /// <summary>Frame height H in pixels.</summary>
    public int Height { get; }

    /// <summary>Frame width W in pixels.</summary>
    public int Width { get; }

    /// <summary>Frames per second of playback.</summary>
    public int Fps { get; }

    /// <summary>All pixels, [T, H, W, 3] 8-bit RGB.</summary>
    public byte[] Rgb { get; }

    /// <summary>Bytes of one frame, H × W × 3.</summary>
    public int FrameBytes => Height * Width * 3;

    /// <summary>The pixels of one frame, [H, W, 3].</summary>
    /// <param name="index">frame index, 0 to T − 1.</param>
    public ReadOnlySpan<byte> Frame(int index) => Rgb.AsSpan((int)((long)index * FrameBytes), FrameBytes);

    /// <summary>Size, frame count and rate, as a sink is told them.</summary>
    public VideoFormat Format => new(Frames, Height, Width, Fps);

    /// <summary>Writes every frame into <paramref name="sink"/> (Begin, the frames, Complete).</summary>
    /// <param name="sink">a sink that has not begun.</param>
    /// <param name="cancellation">checked between frames.</param>
    /// <exception cref="IOException">the sink failed to write (message names its target).</exception>
    public void WriteTo(IVideoSink sink, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(sink);
        sink.Begin(Format);
        sink.WriteFrames(Rgb, cancellation);
        sink.Complete();
    }

    /// <summary>From [3, T, H, W] floats in [-1, 1] (values outside are clamped).</summary>
    /// <param name="video">VAE output [3, T, H, W] as floats.</param>
    /// <param name="frames">T.</param>
    /// <param name="height">H.</param>
    /// <param name="width">W.</param>
    /// <param name="fps">frames per second.</param>
    /// <exception cref="ArgumentException">the value count is not 3 × T × H × W.</exception>
    public static VideoFrames FromChannelsFirst(ReadOnlySpan<float> video, int frames, int height, int width, int fps = 16)
    {
        long plane = (long)frames * height * width;
        if (video.Length != 3 * plane)
        {
            throw new ArgumentException($"{video.Length} values are not [3, {frames}, {height}, {width}]");
        }
        var rgb = new byte[3 * plane];
        ToRgb(video, rgb);
        return new VideoFrames(frames, height, width, rgb, fps);
    }

    /// <summary>
    /// Converts consecutive frames [3, n, H, W] in [-1, 1] (clamped) into 8-bit RGB [n, H, W, 3]:
    /// a streaming decode writes each decoded chunk where its frames go.
    /// </summary>
    internal static void ToRgb(ReadOnlySpan<float> video, Span<byte> rgb)
    {
        int plane = rgb.Length / 3;
        for (int c = 0; c < 3; c++)
        {
            for (int i = 0; i < plane; i++)
            {
                float v = Math.Clamp(video[c * plane + i], -1f, 1f);
                rgb[i * 3 + c] = (byte)MathF.Round((v + 1f) * 127.5f);
            }
        }
    }
}
