namespace Wan.Runtime.IO;

/// <summary>
/// Outputs are written under a temporary name beside the target and renamed into place only when
/// complete, so an interrupted or failed write never leaves a file or directory that looks finished.
/// Every writer of the product (videos, safetensors, converted model directories) names its
/// temporary through <see cref="TempPathFor"/>.
/// </summary>
public static class AtomicOutput
{
    /// <summary>A hidden sibling of <paramref name="path"/>, unique per process and call.</summary>
    public static string TempPathFor(string path)
    {
        var full = Path.GetFullPath(path.TrimEnd('/', '\\'));
        return Path.Combine(Path.GetDirectoryName(full)!,
            $".{Path.GetFileName(full)}.partial-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
    }

    /// <summary>Writes a file through <paramref name="write"/> and renames it into place when it returns.</summary>
    public static void WriteFile(string path, Action<Stream> write, CancellationToken cancellation = default)
    {
        var temp = TempPathFor(path);
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                write(stream);
                cancellation.ThrowIfCancellationRequested();
                stream.Flush(true);
            }
            File.Move(temp, path, true);
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
