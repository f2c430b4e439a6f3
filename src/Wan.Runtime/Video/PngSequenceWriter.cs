using Wan.Runtime.IO;

namespace Wan.Runtime.Video;

/// <summary>
/// A video as a folder of PNG frames name_0000.png, name_0001.png, ... written one by one into a temporary folder
/// that <see cref="VideoSink.Complete"/> renames into place. An earlier run's frame folder is replaced; a folder
/// holding anything else never is. Holds one compressed frame.
/// </summary>
public sealed class PngSequenceWriter : VideoSink
{
    private readonly string _requested;
    private readonly string _stem;
    private readonly string _temp;
    private readonly MemoryStream _scratch = new();

    /// <summary>A sink for the frame folder of <paramref name="path"/>.</summary>
    /// <param name="path">the requested .png path; the frames go to the folder of that name without the extension.</param>
    public PngSequenceWriter(string path)
    {
        _requested = System.IO.Path.GetFullPath(path);
        Folder = System.IO.Path.ChangeExtension(_requested, null);
        _stem = System.IO.Path.GetFileName(Folder);
        _temp = AtomicOutput.TempPathFor(Folder);
    }

    /// <summary>The folder this sink produces.</summary>
    public string Folder { get; }

    /// <inheritdoc/>
    /// <exception cref="IOException">the folder exists and holds other files.</exception>
    protected override void OnBegin(VideoFormat format)
    {
        if (Directory.Exists(Folder) && !HoldsOnlyFrames(Folder, _stem))
        {
            throw new IOException($"{_requested}: the frame directory {Folder} exists and holds other files; choose another name");
        }
        Directory.CreateDirectory(_temp);
    }

    /// <inheritdoc/>
    protected override void OnFrame(ReadOnlySpan<byte> rgb, int index, CancellationToken cancellation)
    {
        using var file = new FileStream(System.IO.Path.Combine(_temp, $"{_stem}_{index:D4}.png"), FileMode.CreateNew, FileAccess.Write, FileShare.None, 0);
        PngWriter.WriteFrame(rgb, Format.Width, Format.Height, file, _scratch);
    }

    /// <inheritdoc/>
    /// <exception cref="IOException">the folder gained other files while writing.</exception>
    protected override void OnComplete()
    {
        if (Directory.Exists(Folder))
        {
            if (!HoldsOnlyFrames(Folder, _stem))
            {
                throw new IOException($"{Folder}: the frame directory gained other files while writing; it was left as it is");
            }
            Directory.Delete(Folder, true);
        }
        Directory.Move(_temp, Folder);
    }

    /// <inheritdoc/>
    protected override void OnDispose(bool completed)
    {
        if (Directory.Exists(_temp))
        {
            Directory.Delete(_temp, true);
        }
    }

    /// <summary>True when every entry is a frame of an earlier run (stem_NNNN.png): only then may it be replaced.</summary>
    internal static bool HoldsOnlyFrames(string dir, string stem) =>
        Directory.EnumerateFileSystemEntries(dir).All(e => File.Exists(e) && IsFrameName(System.IO.Path.GetFileName(e), stem));

    private static bool IsFrameName(string name, string stem) =>
        name.Length == stem.Length + 9 && name.StartsWith(stem + "_", StringComparison.Ordinal)
        && name.EndsWith(".png", StringComparison.Ordinal) && name.AsSpan(stem.Length + 1, 4).ToString().All(char.IsAsciiDigit);
}
