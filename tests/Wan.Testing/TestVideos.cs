using Wan.Runtime.Video;

namespace Wan.Testing;

/// <summary>Synthetic videos for the tests.</summary>
public static class TestVideos
{
    /// <summary>Every pixel of every frame the colour (<paramref name="r"/>, <paramref name="g"/>, <paramref name="b"/>).</summary>
    public static VideoFrames Solid(int frames, int height, int width, byte r, byte g, byte b, int fps = 16)
    {
        var rgb = new byte[frames * height * width * 3];
        for (int i = 0; i < rgb.Length; i += 3)
        {
            (rgb[i], rgb[i + 1], rgb[i + 2]) = (r, g, b);
        }
        return new VideoFrames(frames, height, width, rgb, fps);
    }

    /// <summary>A moving diagonal gradient (different every frame), so motion interpolation and encoding have content.</summary>
    public static VideoFrames Gradient(int frames, int height, int width, int fps = 16)
    {
        var rgb = new byte[frames * height * width * 3];
        for (int f = 0; f < frames; f++)
        {
            for (int y = 0; y < height; y++)
            {
                for (int x = 0; x < width; x++)
                {
                    int i = ((f * height + y) * width + x) * 3;
                    rgb[i] = (byte)(x * 255 / width);
                    rgb[i + 1] = (byte)((y + 4 * f) * 255 / (height + 4 * frames));
                    rgb[i + 2] = 96;
                }
            }
        }
        return new VideoFrames(frames, height, width, rgb, fps);
    }
}
