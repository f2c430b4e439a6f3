namespace Wan.Runtime.Video;

/// <summary>
/// Writes an output under a temporary name beside the target and renames it into place only when
/// complete, so an interrupted or failed write never leaves a file that looks finished.
/// </summary>
internal static class AtomicOutput
{
    public static string TempPathFor(string path) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $".{Path.GetFileName(path)}.partial-{Environment.ProcessId}");

    public static void WriteFile(string path, Action<Stream> write, CancellationToken cancellation = default)
    {
        var temp = TempPathFor(path);
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
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
