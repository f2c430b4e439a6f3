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
    /// <param name="path">the file to produce.</param>
    /// <param name="write">writes the whole content to the stream it is given.</param>
    /// <param name="cancellation">checked after <paramref name="write"/> returns; the temporary is removed when it fires.</param>
    /// <exception cref="IOException">creating, writing or renaming failed; the message names <paramref name="path"/>, never the temporary.</exception>
    /// <exception cref="UnauthorizedAccessException">the folder is not writable (message names <paramref name="path"/>).</exception>
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
        catch (IOException e)
        {
            throw new IOException($"{path}: {NamingTarget(e.Message, temp, path)}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new UnauthorizedAccessException($"{path}: {NamingTarget(e.Message, temp, path)}", e);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>A system message about the temporary, rewritten to name the target the user asked for.</summary>
    /// <param name="message">the message, e.g. from an exception or a child process.</param>
    /// <param name="temp">the temporary path it may name.</param>
    /// <param name="path">the target path.</param>
    public static string NamingTarget(string message, string temp, string path) =>
        message.Replace(temp, path, StringComparison.Ordinal).Replace(Path.GetFileName(temp), Path.GetFileName(path), StringComparison.Ordinal);
}
