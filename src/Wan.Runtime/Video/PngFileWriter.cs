namespace Wan.Runtime.Video;

/// <summary>A one-frame video as a single PNG file (a longer one goes to a <see cref="PngSequenceWriter"/> folder).</summary>
/// <param name="path">the .png file to produce.</param>
public sealed class PngFileWriter(string path) : FileVideoSink(path)
{
    /// <inheritdoc/>
    /// <exception cref="ArgumentException">the video has more than one frame.</exception>
    protected override void WriteHeader(Stream output, VideoFormat format)
    {
        if (format.Frames != 1)
        {
            throw new ArgumentException($"{Path}: one PNG file holds one frame, not {format.Frames}; several go to a frame folder");
        }
    }

    /// <inheritdoc/>
    protected override void WriteFrame(Stream output, ReadOnlySpan<byte> rgb, int index) =>
        PngWriter.WriteFrame(rgb, Format.Width, Format.Height, output);

    /// <inheritdoc/>
    protected override void WriteTrailer(Stream output)
    {
    }
}
