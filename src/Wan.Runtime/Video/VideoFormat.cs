namespace Wan.Runtime.Video;

/// <summary>What a video sink is about to receive: T frames of H × W 8-bit RGB pixels played at a frame rate.</summary>
public sealed record VideoFormat
{
    /// <summary>Describes a video of <paramref name="frames"/> frames of <paramref name="width"/> × <paramref name="height"/> at <paramref name="fps"/>.</summary>
    /// <param name="frames">T, at least 1.</param>
    /// <param name="height">H in pixels, at least 1.</param>
    /// <param name="width">W in pixels, at least 1.</param>
    /// <param name="fps">frames per second, at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">a value is not positive, or one frame exceeds 2 GiB.</exception>
    public VideoFormat(int frames, int height, int width, int fps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(frames, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(fps, 1);
        if (3L * height * width > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(width), $"a frame of {width}x{height} RGB pixels does not fit one buffer");
        }
        (Frames, Height, Width, Fps) = (frames, height, width, fps);
    }

    /// <summary>Number of frames T.</summary>
    public int Frames { get; }

    /// <summary>Frame height H in pixels.</summary>
    public int Height { get; }

    /// <summary>Frame width W in pixels.</summary>
    public int Width { get; }

    /// <summary>Frames per second of playback.</summary>
    public int Fps { get; }

    /// <summary>Bytes of one frame, H × W × 3.</summary>
    public int FrameBytes => Height * Width * 3;
}
